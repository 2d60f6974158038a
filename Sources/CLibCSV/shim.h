// libcsv (https://github.com/rgamble/libcsv), LGPL-2.1+, linked dynamically from Debian's libcsv-dev.
#include <csv.h>
