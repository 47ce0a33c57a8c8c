from tongxin.orglife.views import board, checklists, meetings

app_name = "orglife"
urlpatterns = [*meetings.urlpatterns, *board.urlpatterns, *checklists.urlpatterns]
