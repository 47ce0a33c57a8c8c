"""Path columns in the C collation (subtree ranges, core.migration_ops.binary_collation), and on PostgreSQL the
rule that two confirmed bookings of one venue never overlap, declared in the database: an exclusion constraint
over the half-open time range [starts_at, ends_at) per venue, which needs the btree_gist extension (the venue id
compared with = in a GiST index). SQLite has no such constraint: there the booking service serialises the
check (tongxin/venues/services.py)."""

from django.db import migrations

from tongxin.core.migration_ops import binary_collation, postgresql_only

NO_OVERLAP = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE venues_booking ADD CONSTRAINT booking_no_overlap
    EXCLUDE USING gist (venue_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status = 'confirmed');
"""


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]

    operations = [
        binary_collation("venues_venue", "org_path"),
        binary_collation("venues_booking", "org_path"),
        binary_collation("venues_booking", "venue_path"),
        binary_collation("venues_bookingseries", "org_path"),
        binary_collation("venues_bookingseries", "venue_path"),
        binary_collation("venues_honour", "org_path"),
        postgresql_only(NO_OVERLAP, "ALTER TABLE venues_booking DROP CONSTRAINT IF EXISTS booking_no_overlap;"),
    ]
