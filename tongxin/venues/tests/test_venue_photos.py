"""Venue photos (optional evidence, never required): the host adds a JPEG or PNG, its type checked by its content
(core.uploads.check_upload; a PDF or a file that is not what its name says is refused on ``photo``, nothing
written), audited; shown on the venue's page and, while the venue is open, in the public directory without a
login. The organisations below the host see them but may not add or remove one; an outsider gets 404. The stored
file's columns come from core's abstract StoredFile, shared with activity photos and meeting attachments."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tongxin.activities.models import ActivityPhoto
from tongxin.core.exceptions import DomainError
from tongxin.core.models import ChangeLog, StoredFile
from tongxin.orglife.models import Attachment
from tongxin.venues import services
from tongxin.venues.models import VenuePhoto
from tongxin.venues.tests.venue_helpers import make_venue

pytestmark = pytest.mark.usefixtures("english")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x02" * 32


def _counts():
    return (VenuePhoto.objects.count(), ChangeLog.objects.count())


def test_one_abstract_stored_file_for_every_upload_model():
    for model in (VenuePhoto, ActivityPhoto, Attachment):
        assert issubclass(model, StoredFile)
        names = {f.name for f in model._meta.concrete_fields}
        assert {"file_name", "content_type", "size", "content", "uploaded_by", "uploaded_at"} <= names


def test_the_host_adds_and_removes_photos_audited(tree, users):
    venue = make_venue(tree.committee1)
    photo = services.add_venue_photo(users.committee_admin, venue, file_name="大厅.png", content=PNG)
    jpeg = services.add_venue_photo(users.committee_admin, venue, file_name="C:\\相册\\书架.JPG", content=JPEG)
    assert (photo.content_type, photo.size, str(photo)) == ("image/png", len(PNG), "大厅.png")
    assert (jpeg.file_name, jpeg.content_type, jpeg.uploaded_by) == ("书架.JPG", "image/jpeg", users.committee_admin)
    entry = ChangeLog.objects.get(content_type__model="venuephoto", object_id=str(photo.pk))
    assert entry.after == {"venue": venue.pk, "file_name": "大厅.png", "content_type": "image/png", "size": len(PNG)}
    assert entry.org_path == tree.committee1.path
    services.remove_venue_photo(users.committee_admin, photo)
    assert list(venue.photos.all()) == [jpeg]
    assert ChangeLog.objects.filter(content_type__model="venuephoto", object_id=str(photo.pk), action="delete").exists()


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("大厅.png", b"GIF89a not a png", "is not what its name says"),
        ("方案.pdf", b"%PDF-1.4\n", "a venue photo is a JPEG or PNG picture"),
        ("脚本.exe", PNG, "only photos (JPEG, PNG) and PDF files"),
        ("空.png", b"", "is empty"),
    ],
)
def test_a_file_that_is_not_a_photo_is_refused_on_the_field(tree, users, name, content, rule):
    venue = make_venue(tree.committee1)
    before = _counts()
    with pytest.raises(DomainError) as info:
        services.add_venue_photo(users.committee_admin, venue, file_name=name, content=content)
    assert rule in " ".join(info.value.errors["photo"])
    assert _counts() == before


def test_only_the_host_adds_or_removes(tree, users):
    venue = make_venue(tree.committee1)
    photo = services.add_venue_photo(users.committee_admin, venue, file_name="大厅.png", content=PNG)
    before = _counts()
    for who in (users.secretary_a, users.viewer, users.outsider):
        with pytest.raises(PermissionDenied):
            services.add_venue_photo(who, venue, file_name="越权.png", content=PNG)
        with pytest.raises(PermissionDenied):
            services.remove_venue_photo(who, photo)
    assert _counts() == before


def test_the_venue_page_shows_and_takes_photos(tree, users, client_for):
    venue = make_venue(tree.committee1)
    client = client_for(users.committee_admin)
    detail = reverse("venues:detail", args=[venue.pk])
    assert "No photo yet. Photos are optional." in client.get(detail).content.decode()
    upload = SimpleUploadedFile("大厅.png", PNG, content_type="image/png")
    response = client.post(reverse("venues:photo_add", args=[venue.pk]), {"photo": upload})
    assert response.status_code == 302 and response["Location"] == detail
    photo = VenuePhoto.objects.get(venue=venue)
    assert f'src="{reverse("venues:photo", args=[photo.pk])}"' in client.get(detail).content.decode()
    served = client.get(reverse("venues:photo", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png" and served.content == PNG
    assert served["X-Content-Type-Options"] == "nosniff"
    # a fake: the page says why, nothing written
    fake = SimpleUploadedFile("假.png", b"text", content_type="image/png")
    response = client.post(reverse("venues:photo_add", args=[venue.pk]), {"photo": fake}, follow=True)
    assert "is not what its name says" in response.content.decode() and VenuePhoto.objects.count() == 1
    # below the host: sees the photo, no upload form, 404 on the writes
    below = client_for(users.secretary_a)
    page = below.get(detail).content.decode()
    assert reverse("venues:photo", args=[photo.pk]) in page and reverse("venues:photo_add", args=[venue.pk]) not in page
    assert below.get(reverse("venues:photo", args=[photo.pk])).status_code == 200
    assert below.post(reverse("venues:photo_remove", args=[photo.pk])).status_code == 404
    assert client_for(users.outsider).get(reverse("venues:photo", args=[photo.pk])).status_code == 404
    client_for(users.committee_admin).post(reverse("venues:photo_remove", args=[photo.pk]))  # the host again
    assert not VenuePhoto.objects.exists()


def test_the_public_directory_shows_photos_of_open_venues(tree, users):
    venue = make_venue(tree.committee1, name="书香青年之家")
    photo = services.add_venue_photo(None, venue, file_name="大厅.png", content=PNG)
    anonymous = Client()
    page = anonymous.get(reverse("venues:directory")).content.decode()
    assert f'src="{reverse("venues:directory_photo", args=[photo.pk])}"' in page
    served = anonymous.get(reverse("venues:directory_photo", args=[photo.pk]))
    assert served.status_code == 200 and served.content == PNG
    assert anonymous.get(reverse("venues:photo", args=[photo.pk])).status_code == 302  # the scoped route: login
    services.close_venue(None, venue)
    assert anonymous.get(reverse("venues:directory_photo", args=[photo.pk])).status_code == 404


def test_the_directory_reads_photos_in_one_query(tree, users, django_assert_max_num_queries):
    for n in range(4):
        venue = make_venue(tree.committee1, name=f"青年之家{n}")
        services.add_venue_photo(None, venue, file_name="大厅.png", content=PNG)
    with django_assert_max_num_queries(6):
        Client().get(reverse("venues:directory"))
