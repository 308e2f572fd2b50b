import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assessment.settings")
application = get_wsgi_application()

# Each web server process loads the charts' matplotlib as it starts: the first results page
# it served would otherwise wait 1.4 s for the import (the realistic load run's slowest pages).
from assessment import charts  # noqa: E402 (after Django is set up)

charts.load()
