"""interviews: proposed slots, the booked time, reminders made and outcomes; private calendar feeds

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-02 07:45:11.306168

"""
import sqlalchemy as sa
from alembic import op

from agency.models.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feeds_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_calendar_feeds_user_id'))
    )
    op.create_table('interviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('mode', sa.String(length=13), nullable=False),
    sa.Column('video_url', sa.String(length=500), nullable=False),
    sa.Column('details', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=13), nullable=False),
    sa.Column('uid', sa.String(length=120), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('starts_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('feedback_audience', sa.String(length=13), nullable=False),
    sa.Column('outcome_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome_by_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=500), nullable=False),
    sa.Column('cancelled_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("feedback_audience IN ('staff', 'clinic', 'candidate')", name=op.f('ck_interviews_feedback_audience_valid')),
    sa.CheckConstraint("mode IN ('in_person', 'phone', 'video')", name=op.f('ck_interviews_mode_valid')),
    sa.CheckConstraint("outcome IN ('attended', 'no_show')", name=op.f('ck_interviews_outcome_valid')),
    sa.CheckConstraint("status IN ('proposed', 'scheduled', 'cancelled', 'completed')", name=op.f('ck_interviews_status_valid')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_interviews_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outcome_by_id'], ['users.id'], name=op.f('fk_interviews_outcome_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_interviews_proposed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interviews')),
    sa.UniqueConstraint('uid', name=op.f('uq_interviews_uid'))
    )
    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interviews_application_id'), ['application_id'], unique=False)
        batch_op.create_index('ix_interviews_status_starts', ['status', 'starts_at'], unique=False)

    op.create_table('interview_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('starts_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], name=op.f('fk_interview_reminders_interview_id_interviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interview_reminders')),
    sa.UniqueConstraint('interview_id', 'kind', 'starts_at', name=op.f('uq_interview_reminders_interview_id_kind_starts_at'))
    )
    with op.batch_alter_table('interview_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_reminders_interview_id'), ['interview_id'], unique=False)

    op.create_table('interview_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.CheckConstraint("status IN ('open', 'booked', 'released')", name=op.f('ck_interview_slots_status_valid')),
    sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'], name=op.f('fk_interview_slots_interview_id_interviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interview_slots'))
    )
    with op.batch_alter_table('interview_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_slots_interview_id'), ['interview_id'], unique=False)



def downgrade():
    with op.batch_alter_table('interview_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_slots_interview_id'))

    op.drop_table('interview_slots')
    with op.batch_alter_table('interview_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_reminders_interview_id'))

    op.drop_table('interview_reminders')
    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.drop_index('ix_interviews_status_starts')
        batch_op.drop_index(batch_op.f('ix_interviews_application_id'))

    op.drop_table('interviews')
    op.drop_table('calendar_feeds')
