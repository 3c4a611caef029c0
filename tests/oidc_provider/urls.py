from django.contrib.auth.views import LoginView
from django.urls import include, path

urlpatterns = [
    # The issuer is <base>/o: discovery at /o/.well-known/openid-configuration.
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", LoginView.as_view(), name="login"),
]
