from ims.checklists.models import ApplicabilityCondition, ChecklistVersion, Cluster, CompliancePoint, Question
from ims.core.translated import register_translated

register_translated(ChecklistVersion, ApplicabilityCondition, Cluster, CompliancePoint, Question)
