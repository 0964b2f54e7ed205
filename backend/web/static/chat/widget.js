(function (config) { "use strict"; })(__WIDGET_CONFIG__);
