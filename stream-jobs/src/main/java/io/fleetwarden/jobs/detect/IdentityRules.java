package io.fleetwarden.jobs.detect;

import java.util.List;

import io.fleetwarden.jobs.detect.Finding.Action;
import io.fleetwarden.jobs.rules.RuleCatalogue;
import io.fleetwarden.model.FirmwareCatalogEntry;
import io.fleetwarden.model.FirmwareRelease;

/**
 * CMP-IDENT-003: a device that reports a different model than it first did, or runs an image of another model's
 * catalogue. When the device is in the device registry (the broker stamped its registered model and region), the
 * REGISTRY is the reference: a claimed model or region that differs from the registered one is the finding, with both
 * in the evidence ({@code source=registry}). Otherwise the first reported model is the reference (a device cannot change
 * hardware; the model travels in every report, so a later change is the claim that moved). The catalogue lookup across models runs only when
 * the device's own model has a catalog entry that does not know the reported image (the CMP-FW-001 case), so a
 * normal report costs one string comparison. Resolves when the device reports its first model and an image not
 * belonging to another model.
 */
public final class IdentityRules implements DeviceRule<IdentityState> {

    private static final long serialVersionUID = 1L;

    @Override
    public String name() {
        return "identity";
    }

    @Override
    public List<String> emits() {
        return List.of(RuleCatalogue.MODEL_MISMATCH.id());
    }

    @Override
    public Class<IdentityState> stateClass() {
        return IdentityState.class;
    }

    @Override
    public IdentityState newState() {
        return new IdentityState();
    }

    @Override
    public void onReport(IdentityState s, DeviceReport r, DeviceContext ctx, DeviceOutput out) {
        if (r.registered()) {
            // the registry is the reference: r.model()/r.region() are the registered values
            s.model = StateStrings.keep(s.model != null && s.model.equals(r.model()) ? s.model : null, r.model());
        } else if (s.model == null) {
            s.model = StateStrings.keep(null, r.model());
        }
        String reported = r.registered() ? r.claimedModel() : r.model();
        boolean modelChanged = s.model != null && reported != null && !reported.equals(s.model);
        boolean regionDiffers = r.registered() && r.region() != null && r.claimedRegion() != null
                && !r.claimedRegion().equals(r.region());
        FirmwareCatalogEntry other = null;
        String hash = r.firmwareImageHash();
        if (!modelChanged && hash != null && s.model != null) {
            FirmwareCatalogEntry own = ctx.catalog(s.model);
            if (own != null && !hasImage(own, hash)) {
                other = ctx.otherModelWithImage(s.model, hash);
            }
        }
        if ((modelChanged || regionDiffers || other != null) && !s.open) {
            s.open = true;
            String summary = modelChanged ? "reports model " + reported + (r.registered() ? ", registered as " : ", first reported ")
                    + s.model : regionDiffers ? "reports region " + r.claimedRegion() + ", registered in " + r.region()
                    : "runs an image of model " + other.getModel() + ", is a " + s.model;
            Finding f = Finding.device(RuleCatalogue.MODEL_MISMATCH.id(), Action.OPEN, r.tenant(), r.deviceId(), r.deviceTime(),
                    summary).with("firstModel", s.model);
            if (r.registered()) {
                f.with("source", "registry").with("registeredModel", r.model()).with("reportedModel", r.claimedModel());
                if (r.region() != null) {
                    f.with("registeredRegion", r.region());
                }
                if (r.claimedRegion() != null) {
                    f.with("reportedRegion", r.claimedRegion());
                }
            }
            if (modelChanged || regionDiffers) {
                f.with("reportedModel", reported);
            } else {
                f.with("imageModel", other.getModel()).with("imageHash", hash).with("firmwareVersion", r.firmwareVersion());
            }
            out.finding(f);
        } else if (!modelChanged && !regionDiffers && other == null && s.open) {
            s.open = false;
            out.finding(Finding.device(RuleCatalogue.MODEL_MISMATCH.id(), Action.CLEAR, r.tenant(), r.deviceId(), r.deviceTime(),
                    "reports its model " + s.model + " and one of its images again"));
        }
    }

    /** Whether one of {@code entry}'s releases has the image {@code hash} (hex, compared ignoring case). */
    public static boolean hasImage(FirmwareCatalogEntry entry, String hash) {
        for (FirmwareRelease rel : entry.getReleases()) {
            if (hash.equalsIgnoreCase(rel.getImageSha256())) {
                return true;
            }
        }
        return false;
    }
}
