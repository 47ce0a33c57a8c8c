from tongxin.lifecycle.views import ageout, dues, recommendation, recruitment, review, transfers

app_name = "lifecycle"
urlpatterns = [
    *transfers.urlpatterns,
    *ageout.urlpatterns,
    *dues.urlpatterns,
    *recruitment.urlpatterns,
    *recommendation.urlpatterns,
    *review.urlpatterns,
]
