"""handbook: plain text without spaces before punctuation

Snippets and read-aloud text used to get a space where an inline tag closed ("đảng viên ,").
`plain_text` now drops inline tags without a space; this recomputes the stored plain text of
every article from its sanitised HTML, in batches.

Revision ID: 9436959f061d
Revises: d8533f180ef9
Create Date: 2026-11-28 13:11:25.599671

"""

import sqlalchemy as sa
from alembic import op

from blueprints.handbook.markup import plain_text

# revision identifiers, used by Alembic.
revision = "9436959f061d"
down_revision = "d8533f180ef9"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    articles = sa.table(
        "articles",
        sa.column("id", sa.Integer),
        sa.column("body_html", sa.Text),
        sa.column("body_text", sa.Text),
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(articles.c.id, articles.c.body_html, articles.c.body_text)
            .where(articles.c.id > last)
            .order_by(articles.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for article_id, html, stored in rows:
            text = plain_text(html or "")
            if text != stored:
                connection.execute(
                    articles.update().where(articles.c.id == article_id).values(body_text=text)
                )
        last = rows[-1][0]


def downgrade():
    pass  # the old text differed only by spaces before punctuation
