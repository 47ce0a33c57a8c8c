def test_fixture_tree_rollups(tree):
    tree.root.refresh_from_db()
    assert tree.root.stats.members_total == 5
    tree.branch_a.refresh_from_db()
    assert tree.branch_a.stats.members_direct == 2
