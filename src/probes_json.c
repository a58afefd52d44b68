// SPDX-License-Identifier: GPL-2.0
#include "probes_json.h"

void dt_json_probes(struct dt_json *j, const struct dt_hooks *hooks, bool all_notes)
{
	char text[160];

	dt_json_key(j, "probes");
	dt_json_begin_object(j);
	for (int i = 0; hooks && i < hooks->n; i++) {
		dt_json_key(j, hooks->h[i].name);
		dt_json_string(j, dt_attach_mode_name(hooks->h[i].mode));
	}
	dt_json_end_object(j);
	dt_json_key(j, "probe_notes");
	dt_json_begin_object(j);
	for (int i = 0; hooks && i < hooks->n; i++) {
		const struct dt_hook *h = &hooks->h[i];

		if (h->note.reason == DT_HR_NONE || (!all_notes && h->mode != DT_ATTACH_NONE))
			continue;
		dt_json_key(j, h->name);
		dt_json_string(j, dt_hook_note_text(&h->note, text, sizeof(text)));
	}
	dt_json_end_object(j);
}
