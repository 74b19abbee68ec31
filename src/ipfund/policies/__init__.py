"""The policy packages that come with ipfund, each a folder of source text, data (policy.yaml) and
golden cases. The engine finds them by folder, as it finds any package on the policy path
(ipfund.engine.packages.BUILTIN_FOLDER); nothing imports them."""
