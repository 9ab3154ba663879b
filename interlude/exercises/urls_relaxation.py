from django.urls import path

from interlude.exercises import views_relaxation

urlpatterns = [
    path("tools/breathe/<str:kind>/", views_relaxation.breathing, name="breathing"),
    path("tools/relax/muscles/", views_relaxation.pmr, name="pmr"),
    path("tools/grounding/", views_relaxation.grounding, name="grounding"),
]
