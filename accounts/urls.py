from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.team_list, name="team_list"),
    path("new/", views.user_create, name="user_create"),
    path("<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("<int:pk>/profile/", views.profile_edit, name="profile_edit"),
    path("<int:pk>/mfa/reset/", views.user_mfa_reset, name="user_mfa_reset"),
    path("<int:pk>/mfa/required/", views.user_mfa_required, name="user_mfa_required"),
]
