# The reviewer dashboard (issue 7) mounts here; the foundation only reserves /reviews/.
app_name = "reviews"
urlpatterns: list = []
