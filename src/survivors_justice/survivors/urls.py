from django.urls import path

from survivors_justice.survivors import partner_views, views

app_name = "survivors"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("new/", views.new_survivor, name="new"),
    path("assign/", views.assign, name="assign"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/link-case/", views.link_case, name="link_case"),
    path("<int:pk>/consents/new/", views.consent_new, name="consent_new"),
    path("consents/<int:pk>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("<int:pk>/shared/", views.shared_copy, name="shared_copy"),
    path("<int:pk>/referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<int:pk>/withdraw/", views.referral_withdraw, name="referral_withdraw"),
    path("<int:pk>/plan/", views.plan, name="plan"),
    path("<int:pk>/plan/print/", views.plan_print, name="plan_print"),
    path("<int:pk>/diversion/", views.diversion_offer, name="diversion_offer"),
    path("diversions/<int:pk>/", views.diversion_update, name="diversion_update"),
    path("bookings/", views.bookings, name="bookings"),
    path("<int:pk>/bookings/new/", views.booking_new, name="booking_new"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("rooms/<int:pk>/bookings.ics", partner_views.room_ics, name="room_ics"),
    path("certifications/", views.certifications, name="certifications"),
    path("<int:pk>/certifications/new/", views.certification_new, name="certification_new"),
    path("certifications/<int:pk>/", views.certification_update, name="certification_update"),
    # partner staff (and the advocate's view of a referral)
    path("referrals/", partner_views.partner_referrals, name="partner_referrals"),
    path("referrals/<int:pk>/", partner_views.referral_detail, name="referral"),
    path("referrals/<int:pk>/respond/", partner_views.referral_respond, name="referral_respond"),
    path("referrals/<int:pk>/service/", partner_views.referral_service, name="referral_service"),
    path("partner-bookings/", partner_views.partner_bookings, name="partner_bookings"),
    path("partner-bookings.ics", partner_views.partner_ics, name="partner_ics"),
]
