"""The kennisbank's Atom feed: the newest publications that match the same filters as the page."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from reports import kennisbank
from reports.forms import KennisbankSearchForm

FEED_SIZE = 50


class KennisbankFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request):
        form = KennisbankSearchForm(request.GET, choices=kennisbank.kennisbank_choices())
        form.is_valid()
        return form.filters(), form.query_string()

    def title(self, obj):
        return _("Kennisbank: nieuwe uitkomsten")

    def subtitle(self, obj):
        return _("Gepubliceerde uitkomsten van trialogen en andere sessies.")

    def link(self, obj):
        _filters, query = obj
        return reverse("reports:kennisbank") + (f"?{query}" if query else "")

    def items(self, obj):
        filters, _query = obj
        return kennisbank.report_list_for_feed(filters=filters, limit=FEED_SIZE)

    def item_title(self, item):
        return item.session.title

    def item_description(self, item):
        return item.summary or item.session.description

    def item_link(self, item):
        return reverse("reports:kennisbank_detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.session.event.organisation.name if item.session.event.organisation_id else None

    def item_categories(self, item):
        return [theme.name for theme in item.session.themes.all()]
