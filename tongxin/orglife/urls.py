"""The organisational-life pages' routes, one list for the app (the views live in ``views/``)."""

from django.urls import path

from tongxin.orglife.views import board, checklists, lessons, meetings

app_name = "orglife"
urlpatterns = [
    # meetings
    path("orgs/<int:pk>/meetings/", meetings.calendar, name="meetings"),
    path("orgs/<int:pk>/meetings/plan/", meetings.plan, name="meeting_plan"),
    path("orgs/<int:pk>/meetings/record/", meetings.record_held, name="meeting_record_held"),
    path("meetings/<int:pk>/", meetings.detail, name="meeting_detail"),
    path("meetings/<int:pk>/record/", meetings.record, name="meeting_record"),
    path("meetings/<int:pk>/cancel/", meetings.cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/attachments/", meetings.upload, name="meeting_upload"),
    path("meetings/attachments/<int:pk>/", meetings.attachment, name="meeting_attachment"),
    # lessons in turn (轮流讲党课/团课)
    path("orgs/<int:pk>/lessons/", lessons.rota, name="lessons"),
    path("lessons/<int:pk>/", lessons.turn, name="lesson_turn"),
    path("lessons/mine/", lessons.mine, name="my_lessons"),
    # board
    path("board/", board.board, name="board"),
    path("board/export/", board.board_export, name="board_export"),
    path("board/requirements/", board.requirements, name="requirements"),
    # checklists
    path("orgs/<int:pk>/checklists/", checklists.checklists, name="checklists"),
    path("checklists/items/<int:pk>/", checklists.checklist_item, name="checklist_item"),
    path("checklists/items/<int:pk>/note/", checklists.checklist_note, name="checklist_note"),
    path("checklists/items/<int:pk>/act/", checklists.checklist_act, name="checklist_act"),
    path("checklists/attachments/<int:pk>/", checklists.attachment, name="checklist_attachment"),
    path("orgs/<int:pk>/duties/", checklists.duties, name="duties"),
    path("duties/<int:pk>/end/", checklists.duty_end, name="duty_end"),
    path("lapse/", checklists.lapse, name="lapse"),
]
