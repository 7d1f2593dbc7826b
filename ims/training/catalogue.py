"""The programmes the seeds describe, kept as data in content/training/catalogue.json and loaded idempotently."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ims.training.models import TrainingModule, TrainingProgramme


@transaction.atomic
def load_catalogue(path=None):
    """Create or update every programme and its modules; return how many rows were written.

    Modules are matched by their order in the programme and never deleted (sessions point at them).
    """
    path = path or settings.BASE_DIR / "content" / "training" / "catalogue.json"
    written = 0
    for order, data in enumerate(json.loads(Path(path).read_text(encoding="utf-8"))["programmes"], start=1):
        statuses = data.get("translation_status", {})
        programme = TrainingProgramme.objects.filter(code=data["code"]).first() or TrainingProgramme(code=data["code"])
        translated = {"name": data["name"], "description": data["description"]}
        plain = {"kind": data["kind"], "order": order, "completion_threshold": data["completion_threshold"],
                 "requires_improvement_plan": data["requires_improvement_plan"]}  # fmt: skip
        if programme.update_content(translated, statuses, **plain):
            programme.save()
            written += 1
        for module_order, module_data in enumerate(data["modules"], start=1):
            module = TrainingModule.objects.filter(programme=programme, order=module_order).first()
            module = module or TrainingModule(programme=programme, order=module_order)
            texts = {"name": module_data["name"], "description": module_data.get("description", {})}
            if module.update_content(texts, statuses):
                module.save()
                written += 1
    return written
