"""The applicant side over HTTP: views (one module per page), forms, the decorators that
resolve what a URL is about, the one mapping of domain errors to messages, and private
file responses. Views stay thin: parse, call one selector or service, render or redirect."""
