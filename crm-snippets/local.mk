# The pair's configuration for pcs and crmsh (tested by
# tests/cluster/snippets-3node.test).
EXTRA_DIST += \
	crm-snippets/pcs-pair.sh \
	crm-snippets/crmsh-pair.crm
