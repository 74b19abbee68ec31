"""What the web apps' pages share, below every app that shows a page: role checks and service errors
on forms (views), form fields and their Chinese errors (forms, facts), labels, the policy a page shows
(policy), and the HTTP API's schemas (schemas). It imports the engine's door and accounts' roles only,
so any app may import it."""
