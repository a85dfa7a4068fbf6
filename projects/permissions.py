from accounts.models import Role, User
from projects.models import Project


def project_is_accessible_by(project: Project, user: User) -> bool:
    """The owner reads a project, its files, links and tasks; so may the admin role."""
    return project.owner_id == user.pk or user.role == Role.ADMIN
