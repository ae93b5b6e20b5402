"""Markdown rendered once, when text is saved: each Markdown field gets a column with its
sanitised HTML next to it (``<field>_html``), filled here for the rows that exist.
The rules are those of stafettlogg.textformat at the time this runs; after a change of
rules ``flask rerender-text`` renders every stored text again."""
from peewee import *

RENDERED = {
    'concern': ('body',),
    'highlight': ('body',),
    'goal': ('body',),
    'meeting': ('invited', 'agenda', 'minutes'),
    'measure': ('what',),
    'evaluation': ('what_worked',),
    'minutes_correction': ('body',),
    'entry': ('body',),
    'child_talk_agreement': ('how',),
    'child_talk': ('how_it_goes',),
}


def up(migrator, db):
    from stafettlogg.textformat import render_markdown

    migrator.migrate(*(
        migrator.add_column(table, f'{name}_html', TextField(default=''))
        for table, names in RENDERED.items() for name in names
    ))
    for table, names in RENDERED.items():
        columns = ', '.join(f'"{name}"' for name in names)
        assignments = ', '.join(f'"{name}_html" = {db.param}' for name in names)
        rows = db.execute_sql(f'SELECT id, {columns} FROM "{table}" ORDER BY id').fetchall()
        for row in rows:
            values = [str(render_markdown(text)) for text in row[1:]]
            db.execute_sql(f'UPDATE "{table}" SET {assignments} WHERE id = {db.param}', (*values, row[0]))


def down(migrator, db):
    migrator.migrate(*(
        migrator.drop_column(table, f'{name}_html')
        for table, names in RENDERED.items() for name in names
    ))
