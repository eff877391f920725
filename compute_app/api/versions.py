"""(Placeholder: routes of this resource are filled in by its implementation.)"""

urlpatterns: list = []
