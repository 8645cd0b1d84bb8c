from reports.my_sessions import user_has_team_sessions


def team_sessions(request):
    """
    `has_team_sessions`: whether the nav shows "Mijn sessies".

    A callable, so the template asks only when it renders the nav for a
    logged-in person: one EXISTS query then, memoised on the request, and
    none for visitors who are not logged in (the cached public pages).
    """

    def has_team_sessions() -> bool:
        if not hasattr(request, "_has_team_sessions"):
            request._has_team_sessions = user_has_team_sessions(user=request.user)
        return request._has_team_sessions

    return {"has_team_sessions": has_team_sessions}
