//! dcloud-sdl (under construction).
