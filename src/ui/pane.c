/*
 * What every list pane shares: scrolling and selection arithmetic.
 */
#include "ui/pane.h"

#include "ui/keys.h"

void listview_clamp(struct listview *lv, size_t count, size_t visible)
{
	lv->count = count;
	if (count == 0) {
		lv->sel = lv->top = 0;
		return;
	}
	if (lv->follow || lv->sel >= count)
		lv->sel = count - 1;
	if (visible == 0)
		visible = 1;
	if (lv->sel < lv->top)
		lv->top = lv->sel;
	if (lv->sel >= lv->top + visible)
		lv->top = lv->sel - visible + 1;
	if (lv->top + visible > count)
		lv->top = count > visible ? count - visible : 0;
}

unsigned listview_nav(struct listview *lv, int action, size_t visible)
{
	size_t old = lv->sel, page = visible > 1 ? visible - 1 : 1;
	bool was_follow = lv->follow;
	switch (action) {
	case KA_UP:
		lv->follow = false;
		if (lv->sel > 0)
			lv->sel--;
		break;
	case KA_DOWN:
		if (lv->sel + 1 < lv->count)
			lv->sel++;
		break;
	case KA_PGUP:
		lv->follow = false;
		lv->sel = lv->sel > page ? lv->sel - page : 0;
		break;
	case KA_PGDN:
		lv->sel += page;
		if (lv->count && lv->sel >= lv->count)
			lv->sel = lv->count - 1;
		break;
	case KA_HOME:
		lv->follow = false;
		lv->sel = 0;
		break;
	case KA_END:
		lv->sel = lv->count ? lv->count - 1 : 0;
		break;
	default:
		return 0;
	}
	return lv->sel != old || lv->follow != was_follow ? PANE_REDRAW : PANE_HANDLED;
}
