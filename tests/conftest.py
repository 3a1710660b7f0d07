import os

# jsii warns on every import under Node 20; the tests are not the place to hear it.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
# Stacks must synthesize the same on every machine, whatever account the shell has.
for _name in ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION"):
    os.environ.pop(_name, None)
