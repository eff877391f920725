"""(Placeholder: server routes.)"""

urlpatterns: list = []
