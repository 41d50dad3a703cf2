/*
 * The header, status and hint bars of the monitor (see bars.c). They draw
 * into the layout's slots on stdscr; the loop calls them once per redraw.
 */
#ifndef SWANTOP_UI_BARS_H
#define SWANTOP_UI_BARS_H

struct app;

void bars_draw_header(struct app *app);
void bars_draw_status(struct app *app);
void bars_draw_hint(struct app *app);
/* The command line or filter being typed, on line y of width w, with the
 * cursor placed in it. */
void bars_draw_input(struct app *app, int y, int w, const char *prompt);

#endif
