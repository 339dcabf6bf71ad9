"""Query API logic: parsing, cursors, filters, tenancy, walks. No AWS calls here: the walks
read through a :class:`cloudtrail_tracker.dal.reader.EventReader` they are given."""
