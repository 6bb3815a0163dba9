package io.fleetwarden.deploy;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Code;
import org.commonmark.node.Heading;
import org.commonmark.node.Image;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;

/**
 * Finds relative links in Markdown files that point at nothing: a file or folder that does not exist, or a
 * {@code #fragment} that names no heading of the target Markdown file (GitHub's heading anchors). Links with a
 * scheme ({@code https:}, {@code mailto:}) are not checked; links inside code blocks and code spans are not links.
 */
final class MarkdownLinks {

    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");
    /** Folders that hold build output, other people's files or run state, never documentation of this repository. */
    private static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "node_modules", ".fleetwarden", ".mvn");

    private final Parser parser = Parser.builder().build();
    private final Map<Path, Set<String>> anchorsByFile = new HashMap<>();

    /** A broken link: the Markdown file, the link as written, and why it is broken. */
    record Broken(Path file, String destination, String reason) {
        @Override
        public String toString() {
            return file + ": (" + destination + ") " + reason;
        }
    }

    /** Every broken relative link in every {@code *.md} under {@code root}. */
    List<Broken> check(Path root) throws IOException {
        List<Broken> broken = new ArrayList<>();
        for (Path md : markdownFiles(root)) {
            for (String destination : destinations(Files.readString(md))) {
                String reason = problem(root, md, destination);
                if (reason != null) {
                    broken.add(new Broken(root.relativize(md), destination, reason));
                }
            }
        }
        return broken;
    }

    static List<Path> markdownFiles(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a) {
                return !dir.equals(root) && SKIPPED_DIRS.contains(dir.getFileName().toString())
                        ? java.nio.file.FileVisitResult.SKIP_SUBTREE
                        : java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
                if (file.getFileName().toString().endsWith(".md")) {
                    files.add(file);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        files.sort(null);
        return files;
    }

    /** Destinations of every link and image in the document, in order. */
    List<String> destinations(String markdown) {
        List<String> out = new ArrayList<>();
        parser.parse(markdown).accept(new AbstractVisitor() {
            @Override
            public void visit(Link link) {
                out.add(link.getDestination());
                visitChildren(link);
            }

            @Override
            public void visit(Image image) {
                out.add(image.getDestination());
                visitChildren(image);
            }
        });
        return out;
    }

    /** Null when the link resolves, otherwise why it does not. */
    private String problem(Path root, Path md, String destination) throws IOException {
        if (destination == null || destination.isEmpty() || SCHEME.matcher(destination).find()) {
            return null;
        }
        String pathPart = destination;
        String fragment = null;
        int hash = destination.indexOf('#');
        if (hash >= 0) {
            pathPart = destination.substring(0, hash);
            fragment = destination.substring(hash + 1);
        }
        int query = pathPart.indexOf('?');
        if (query >= 0) {
            pathPart = pathPart.substring(0, query);
        }
        Path target;
        if (pathPart.isEmpty()) {
            target = md;
        } else {
            String decoded = URLDecoder.decode(pathPart.replace("+", "%2B"), StandardCharsets.UTF_8);
            target = (decoded.startsWith("/") ? root.resolve(decoded.substring(1)) : md.getParent().resolve(decoded))
                    .normalize();
            if (!target.startsWith(root)) {
                return "points outside the repository";
            }
            if (!Files.exists(target)) {
                return "no such file or folder: " + root.relativize(target);
            }
        }
        if (fragment != null && !fragment.isEmpty() && target.toString().endsWith(".md") && Files.isRegularFile(target)) {
            String anchor = URLDecoder.decode(fragment.replace("+", "%2B"), StandardCharsets.UTF_8);
            if (!anchors(target).contains(anchor)) {
                return "no heading with anchor #" + anchor + " in " + root.relativize(target);
            }
        }
        return null;
    }

    private Set<String> anchors(Path md) throws IOException {
        Set<String> cached = anchorsByFile.get(md);
        if (cached == null) {
            cached = anchorsOf(Files.readString(md));
            anchorsByFile.put(md, cached);
        }
        return cached;
    }

    /** GitHub's heading anchors: lower case, punctuation removed, spaces to hyphens, repeats numbered -1, -2. */
    Set<String> anchorsOf(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        parser.parse(markdown).accept(new AbstractVisitor() {
            @Override
            public void visit(Heading heading) {
                String slug = slug(plainText(heading));
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
        });
        return anchors;
    }

    static String slug(String heading) {
        StringBuilder sb = new StringBuilder();
        heading.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                sb.appendCodePoint(c);
            } else if (c == ' ') {
                sb.append('-');
            }
        });
        return sb.toString();
    }

    private static String plainText(Node node) {
        StringBuilder sb = new StringBuilder();
        node.accept(new AbstractVisitor() {
            @Override
            public void visit(Text text) {
                sb.append(text.getLiteral());
            }

            @Override
            public void visit(Code code) {
                sb.append(code.getLiteral());
            }
        });
        return sb.toString();
    }
}
