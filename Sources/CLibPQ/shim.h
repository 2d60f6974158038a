// libpq, PostgreSQL's C client (Debian libpq-dev; its headers are in /usr/include/postgresql, found by pkg-config).
#include <libpq-fe.h>
