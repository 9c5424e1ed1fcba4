from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import current_actor, requires
from ..domain.codes import Role
from ..services import tasks
from .schemas import QuerySetPage, TaskPatchSchema, TaskSchema

blp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks",
                description="Inspection tasks (巡察任务), planned by the office")


@blp.route("")
class Tasks(MethodView):
    @requires(Role.OFFICE)
    @blp.response(200, TaskSchema(many=True))
    @blp.paginate(QuerySetPage)
    def get(self):
        """The county's inspection tasks"""
        return tasks.list_tasks(current_actor())

    @requires(Role.OFFICE)
    @blp.arguments(TaskSchema)
    @blp.response(201, TaskSchema)
    def post(self, data):
        """Plan an inspection task: villages, inspectors, dates, focus categories"""
        return tasks.create_task(current_actor(), data)


@blp.route("/<task_id>")
class Task(MethodView):
    @requires(Role.OFFICE)
    @blp.arguments(TaskPatchSchema)
    @blp.response(200, TaskSchema)
    def patch(self, data, task_id):
        """Change a task's name, dates, villages or team; inspectors taken off it learn it at
        their next sync"""
        return tasks.update_task(current_actor(), task_id, data)

    @requires(Role.OFFICE)
    @blp.response(204)
    def delete(self, task_id):
        """Delete a task planned by mistake (409 once it has findings)"""
        tasks.delete_task(current_actor(), task_id)
