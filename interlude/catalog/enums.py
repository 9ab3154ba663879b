"""Choices of the app catalog (ADR 0025). Labels are what clinicians and clients read."""

from __future__ import annotations

from django.db import models


class Step(models.TextChoices):
    """The five steps of the APA App Evaluation Model, in the order the model takes them."""

    ACCESS = "access", "Access and background"
    PRIVACY = "privacy", "Privacy and security"
    CLINICAL = "clinical", "Clinical foundation"
    USABILITY = "usability", "Engagement and usability"
    INTEGRATION = "integration", "Therapeutic goal and data integration"


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class Platform(models.TextChoices):
    IOS = "ios", "iPhone and iPad"
    ANDROID = "android", "Android"
    WEB = "web", "Web browser"


class Cost(models.TextChoices):
    FREE = "free", "Free"
    FREEMIUM = "freemium", "Free, with paid extras"
    SUBSCRIPTION = "subscription", "Subscription"
    PAID = "paid", "One-off price"
    UNKNOWN = "unknown", "Not known"


class Goal(models.TextChoices):
    MOOD = "mood", "Tracking mood"
    LOW_MOOD = "low_mood", "Low mood and depression"
    ANXIETY = "anxiety", "Anxiety and worry"
    SLEEP = "sleep", "Sleep"
    RELAXATION = "relaxation", "Mindfulness and relaxation"
    TRAUMA = "trauma", "Trauma and PTSD"
    SYMPTOMS = "symptoms", "Tracking symptoms and health"
    CBT_SKILLS = "cbt_skills", "CBT skills"
    SAFETY = "safety", "Crisis and safety planning"
    HABITS = "habits", "Habits and routines"


class Evidence(models.TextChoices):
    """What published evidence there is for this app itself (not for the method it uses)."""

    TRIALS = "trials", "Randomised trials of this app"
    STUDIES = "studies", "Studies of this app, not randomised"
    METHOD_ONLY = "method_only", "Uses a method with evidence; the app itself not studied"
    NONE_FOUND = "none_found", "No published evidence found"
    UNKNOWN = "unknown", "Not yet checked"


class Privacy(models.TextChoices):
    """A summary of the privacy answers (questions.privacy_rating)."""

    CLEAR = "clear", "No concerns found"
    CONCERNS = "concerns", "Concerns found"
    UNKNOWN = "unknown", "Not yet checked"


class ReadinessStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for the client"
    SUBMITTED = "submitted", "Answered"
    CANCELLED = "cancelled", "No longer needed"
