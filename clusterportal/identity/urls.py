"""The provider's URLs, under the names allauth's openid_connect provider reverses, at
/accounts/oidc/<provider id>/login/ and …/login/callback/ (the callback to register)."""

from django.urls import include, path

from clusterportal.identity import views

urlpatterns = [
    path(
        "oidc/<str:provider_id>/",
        include(
            [
                path("login/", views.login, name="openid_connect_login"),
                path("login/callback/", views.callback, name="openid_connect_callback"),
            ]
        ),
    )
]
