from tongxin.lifecycle.views import ageout, dues, transfers

app_name = "lifecycle"
urlpatterns = [*transfers.urlpatterns, *ageout.urlpatterns, *dues.urlpatterns]
