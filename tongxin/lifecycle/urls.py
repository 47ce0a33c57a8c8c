from tongxin.lifecycle.views import ageout, dues, graduation, recommendation, recruitment, review, transfers

app_name = "lifecycle"
urlpatterns = [
    *transfers.urlpatterns,
    *graduation.urlpatterns,
    *ageout.urlpatterns,
    *dues.urlpatterns,
    *recruitment.urlpatterns,
    *recommendation.urlpatterns,
    *review.urlpatterns,
]
