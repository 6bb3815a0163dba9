package io.fleetwarden.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Renders a kustomization the way {@code kubectl kustomize} does, for the subset of Kustomize the
 * Fleetwarden overlays use (there is no kustomize binary on a fresh CI machine):
 * <ul>
 * <li>{@code resources}: files, or folders holding a kustomization (rendered recursively);</li>
 * <li>{@code patches} with {@code path}: strategic merge patches matched by kind, name and namespace.
 * Maps merge key by key; for built-in kinds the lists {@code containers}, {@code initContainers},
 * {@code env} and {@code volumes} merge by {@code name}; every other list (and every list of a custom
 * resource, which Kustomize patches like a JSON merge patch) is replaced;</li>
 * <li>{@code replicas}: {@code spec.replicas} of the Deployment or StatefulSet of that name;</li>
 * <li>{@code images}: {@code newName}/{@code newTag} for every {@code image} of a
 * {@code containers}/{@code initContainers} entry and the extra image fields declared by
 * {@code configurations} files ({@code images: [{path, kind}]}).</li>
 * </ul>
 * Anything else in a kustomization is refused, so an overlay cannot silently use a feature this
 * renderer would ignore. {@code KubernetesOverlaysTest} compares its output with
 * {@code kubectl kustomize} where kubectl is installed.
 */
final class Kustomize {

    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "resources", "patches", "replicas",
            "images", "configurations");
    private static final Set<String> MERGE_BY_NAME = Set.of("containers", "initContainers", "env", "volumes");
    private static final Set<String> BUILT_IN_GROUPS = Set.of("v1", "apps/v1", "batch/v1", "policy/v1",
            "networking.k8s.io/v1");

    private record ImageField(String kind, List<String> path) {
    }

    private Kustomize() {
    }

    /** The resources of the kustomization in {@code dir}, after its patches and transformers. */
    static List<Map<String, Object>> render(Path dir) {
        return render(dir, new ArrayList<>());
    }

    private static List<Map<String, Object>> render(Path dir, List<ImageField> imageFields) {
        Map<String, Object> k = map(load(dir.resolve("kustomization.yaml")).get(0));
        for (String key : k.keySet()) {
            if (!SUPPORTED.contains(key)) {
                throw new IllegalArgumentException(dir + ": kustomization field '" + key + "' is not supported by this renderer");
            }
        }
        for (Object file : list(k.get("configurations"))) {
            for (Object field : list(map(load(dir.resolve((String) file)).get(0)).get("images"))) {
                imageFields.add(new ImageField((String) map(field).get("kind"),
                        List.of(((String) map(field).get("path")).split("/"))));
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object resource : list(k.get("resources"))) {
            Path path = dir.resolve((String) resource).normalize();
            if (Files.isDirectory(path)) {
                out.addAll(render(path, imageFields));
            } else {
                load(path).forEach(doc -> out.add(map(doc)));
            }
        }
        for (Object patch : list(k.get("patches"))) {
            Map<String, Object> p = map(patch);
            if (p.keySet().size() != 1 || !p.containsKey("path")) {
                throw new IllegalArgumentException(dir + ": only file patches ({path: ...}) are supported: " + p);
            }
            for (Object doc : load(dir.resolve((String) p.get("path")))) {
                Map<String, Object> patchDoc = map(doc);
                Map<String, Object> target = find(out, (String) patchDoc.get("kind"), name(patchDoc), namespace(patchDoc))
                        .orElseThrow(() -> new IllegalArgumentException(dir + "/" + p.get("path") + ": no resource "
                                + patchDoc.get("kind") + " " + name(patchDoc)));
                merge(target, patchDoc, BUILT_IN_GROUPS.contains(target.get("apiVersion")));
            }
        }
        for (Object r : list(k.get("replicas"))) {
            String name = (String) map(r).get("name");
            Map<String, Object> target = out.stream()
                    .filter(d -> List.of("Deployment", "StatefulSet", "ReplicaSet").contains(d.get("kind")))
                    .filter(d -> name.equals(name(d))).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(dir + ": replicas for unknown workload " + name));
            map(target.get("spec")).put("replicas", map(r).get("count"));
        }
        for (Object image : list(k.get("images"))) {
            Map<String, Object> i = map(image);
            for (Map<String, Object> doc : out) {
                retag(doc, null, i);
                for (ImageField field : imageFields) {
                    if (field.kind().equals(doc.get("kind"))) {
                        retagField(doc, field.path(), i);
                    }
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------

    /** Applies an images entry to every containers[]/initContainers[] image below {@code node}. */
    @SuppressWarnings("unchecked")
    private static void retag(Object node, String parentKey, Map<String, Object> image) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> map = (Map<String, Object>) m;
            for (Map.Entry<String, Object> e : map.entrySet()) {
                retag(e.getValue(), e.getKey(), image);
            }
        } else if (node instanceof List<?> l) {
            for (Object item : l) {
                if (("containers".equals(parentKey) || "initContainers".equals(parentKey)) && item instanceof Map<?, ?> c) {
                    Map<String, Object> container = (Map<String, Object>) c;
                    if (container.get("image") instanceof String current) {
                        container.put("image", apply(current, image));
                    }
                }
                retag(item, parentKey, image);
            }
        }
    }

    private static void retagField(Map<String, Object> doc, List<String> path, Map<String, Object> image) {
        Map<String, Object> node = doc;
        for (int i = 0; i < path.size() - 1; i++) {
            if (!(node.get(path.get(i)) instanceof Map<?, ?>)) {
                return;
            }
            node = map(node.get(path.get(i)));
        }
        String last = path.get(path.size() - 1);
        if (node.get(last) instanceof String current) {
            node.put(last, apply(current, image));
        }
    }

    /** Kustomize's image replacement: match on the name without tag or digest. */
    static String apply(String current, Map<String, Object> image) {
        int at = current.indexOf('@');
        int colon = current.lastIndexOf(':');
        int end = at >= 0 ? at : (colon > current.lastIndexOf('/') ? colon : current.length());
        String name = current.substring(0, end);
        String suffix = current.substring(end);
        if (!name.equals(image.get("name"))) {
            return current;
        }
        String newName = image.containsKey("newName") ? (String) image.get("newName") : name;
        if (image.containsKey("digest")) {
            return newName + "@" + image.get("digest");
        }
        if (image.containsKey("newTag")) {
            return newName + ":" + image.get("newTag");
        }
        return newName + suffix;
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> target, Map<String, Object> patch, boolean builtIn) {
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            Object current = target.get(key);
            if (value == null) {
                target.remove(key);
            } else if (value instanceof Map<?, ?> pm && current instanceof Map<?, ?> cm) {
                merge((Map<String, Object>) cm, (Map<String, Object>) pm, builtIn);
            } else if (builtIn && MERGE_BY_NAME.contains(key) && value instanceof List<?> pl && current instanceof List<?> cl) {
                target.put(key, mergeByName((List<Object>) cl, (List<Object>) pl));
            } else {
                target.put(key, value);
            }
        }
    }

    /**
     * Kustomize's order for a merged list: the patch's entries first (merged into the originals of the
     * same name), then the originals the patch does not name, in their order. Order matters: an env
     * entry can only refer to ($(NAME)) entries before it.
     */
    private static List<Object> mergeByName(List<Object> current, List<Object> patch) {
        List<Object> out = new ArrayList<>();
        List<Object> rest = new ArrayList<>(current);
        for (Object p : patch) {
            Object name = map(p).get("name");
            Map<String, Object> existing = rest.stream().map(Kustomize::map).filter(c -> name.equals(c.get("name")))
                    .findFirst().orElse(null);
            if (existing == null) {
                out.add(p);
            } else {
                rest.remove(existing);
                merge(existing, map(p), true);
                out.add(existing);
            }
        }
        out.addAll(rest);
        return out;
    }

    private static java.util.Optional<Map<String, Object>> find(List<Map<String, Object>> docs, String kind, String name,
            String namespace) {
        return docs.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(name(d))
                && (namespace == null || namespace.equals(namespace(d)))).findFirst();
    }

    static String name(Map<String, Object> doc) {
        return (String) map(doc.get("metadata")).get("name");
    }

    static String namespace(Map<String, Object> doc) {
        return (String) map(doc.get("metadata")).get("namespace");
    }

    static List<Object> load(Path file) {
        try {
            List<Object> docs = new ArrayList<>();
            for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(file))) {
                if (doc != null) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o == null ? new LinkedHashMap<>() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }
}
