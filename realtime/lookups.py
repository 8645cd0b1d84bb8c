"""
`field__any=[…]`: membership in a long list of values, as one array parameter.

`field__in=[…]` sends one placeholder per value. For the thousands of keyed
hashes a crowd's snapshots look up at once, building and splitting that query
costs more than running it. On PostgreSQL this sends `field = ANY(%s)` with a
single array; elsewhere (SQLite in the demo) it is the ordinary IN list.
"""

from django.db.models import CharField, Lookup


@CharField.register_lookup
class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [str(value) for value in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        if not values:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]
