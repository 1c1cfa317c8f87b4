#include "trace/trace-hw_misc_cce.h"
