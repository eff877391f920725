"""Routes of the servers resource and its sub-resources."""

from cloud.api.routing import route
from compute_app.api.servers import metadata, subresources, views

SERVER = r"/v2.1/servers/(?P<server_id>[^/]+)"

urlpatterns = [
    route(r"/v2.1/servers", views.ServersView.as_view()),
    route(r"/v2.1/servers/detail", views.ServersDetailView.as_view()),
    route(SERVER, views.ServerView.as_view()),
    route(SERVER + r"/tags", subresources.TagsView.as_view()),
    route(SERVER + r"/tags/(?P<tag>[^/]+)", subresources.TagView.as_view()),
    route(SERVER + r"/metadata", metadata.ServerMetadataView.as_view()),
    route(SERVER + r"/metadata/(?P<key>[^/]+)", metadata.ServerMetadataItemView.as_view()),
    route(SERVER + r"/ips", subresources.IpsView.as_view()),
    route(SERVER + r"/ips/(?P<network>[^/]+)", subresources.IpsView.as_view()),
    route(SERVER + r"/os-instance-actions", subresources.InstanceActionsView.as_view()),
    route(SERVER + r"/os-instance-actions/(?P<request_id>[^/]+)", subresources.InstanceActionView.as_view()),
]
