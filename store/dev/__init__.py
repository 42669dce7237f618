"""Development helpers: the dev server, the mail catcher, the CSS build and the seeds."""
