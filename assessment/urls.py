from django.contrib import admin
from django.urls import include, path

from assessment.views import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("accessibility", pages.accessibility, name="accessibility"),
    path("privacy", pages.privacy, name="privacy"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
