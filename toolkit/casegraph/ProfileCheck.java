/*
 * OWL 2 RL profile check of one Turtle file with the OWL API (Debian package libowlapi-java).
 *
 *   java -cp CLASSPATH ProfileCheck FILE.ttl
 *   java -cp CLASSPATH toolkit/casegraph/ProfileCheck.java FILE.ttl     (source-file mode, no javac)
 *
 * CLASSPATH is owlapi-distribution.jar plus its runtime dependencies from /usr/share/java;
 * toolkit/casegraph/profile.py builds it (OWLAPI_JARS there) and compiles this file once into a cache.
 *
 * Output on stdout: one line per OWL 2 RL violation, sorted, as "VIOLATION <violation text>"
 * (the OWL API's own description, which names the offending construct and the axiom it occurs
 * in; line breaks inside it are written as \n), then a last line "OK" or "VIOLATIONS <n>".
 * A problem that stops the check is one line "LOAD-ERROR <message>" on stdout.
 * Warnings (an owl:imports that was not followed) go to stderr as "WARNING <message>".
 *
 * Exit status: 0 in the profile, 1 not in the profile, 2 the file cannot be read or parsed,
 * 3 bad arguments, 4 a jar of the class path is missing ("SETUP-ERROR <missing class>").
 *
 * Nothing is ever fetched: the file is parsed as Turtle only (no format guessing), and every
 * owl:imports is mapped to a document that does not exist, so a missing import is reported
 * (silently, per MissingImportHandlingStrategy.SILENT) instead of loaded from the network.
 * The profile is checked on the file's own axioms.
 */

import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.TurtleDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.io.OWLParserException;
import org.semanticweb.owlapi.io.UnparsableOntologyException;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2RLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public final class ProfileCheck {
    private ProfileCheck() {}

    /** A document IRI that never resolves: where every owl:imports is sent instead of the web. */
    private static final IRI NO_IMPORTS =
        IRI.create(new File("/nonexistent/casegraph-profile-check/imports-are-not-fetched").toURI());

    /** One line: line breaks and tabs escaped, surrounding space trimmed. */
    static String oneLine(String text) {
        return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t").trim();
    }

    /** The first paragraph of a message, on one line with runs of white space collapsed. */
    static String firstParagraph(String message) {
        String paragraph = message.strip().split("\\R\\s*\\R", 2)[0];
        return oneLine(paragraph.replaceAll("\\s+", " "));
    }

    /**
     * What went wrong while loading, on one line: for a Turtle syntax error the parser's own
     * message with its line and column ("Encountered ... at line 4, column 6."), otherwise the
     * innermost cause's message.
     */
    static String loadMessage(Throwable error) {
        if (error instanceof UnparsableOntologyException) {
            for (OWLParserException parse : ((UnparsableOntologyException) error).getExceptions().values()) {
                Throwable cause = parse.getCause() != null ? parse.getCause() : parse;
                String message = cause.getMessage();
                if (message != null && !message.isBlank()) {
                    return "Turtle syntax error: " + firstParagraph(message);
                }
            }
        }
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            message = error.getMessage();
        }
        if (message == null || message.isBlank()) {
            return cause.getClass().getName();
        }
        return cause.getClass().getSimpleName() + ": " + firstParagraph(message);
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        if (args.length != 1) {
            err.println("usage: ProfileCheck FILE.ttl");
            System.exit(3);
        }
        try {
            System.exit(check(new File(args[0]), out, err));
        } catch (LinkageError e) {
            // A jar of the class path is missing or of the wrong version.
            out.println("SETUP-ERROR " + oneLine(e.toString()));
            System.exit(4);
        }
    }

    /** Load and check one file; the exit status. */
    static int check(File file, PrintStream out, PrintStream err) {
        if (!file.isFile()) {
            out.println("LOAD-ERROR " + oneLine(file + ": no such file"));
            return 2;
        }

        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.getIRIMappers().clear();
        manager.getIRIMappers().add(ontologyIRI -> NO_IMPORTS);
        manager.addMissingImportListener(event -> err.println(
            "WARNING owl:imports " + event.getImportedOntologyURI() + " was not loaded (imports are never fetched)"));
        OWLOntologyLoaderConfiguration config = new OWLOntologyLoaderConfiguration()
            .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT)
            .setFollowRedirects(false)
            .setConnectionTimeout(1);

        OWLOntology ontology;
        try {
            ontology = manager.loadOntologyFromOntologyDocument(
                new FileDocumentSource(file, new TurtleDocumentFormat(), "text/turtle"), config);
        } catch (OWLOntologyCreationException | RuntimeException e) {
            out.println("LOAD-ERROR " + loadMessage(e));
            return 2;
        }

        OWLProfileReport report = new OWL2RLProfile().checkOntology(ontology);
        List<String> lines = new ArrayList<>();
        for (OWLProfileViolation violation : report.getViolations()) {
            lines.add("VIOLATION " + oneLine(violation.toString()));
        }
        Collections.sort(lines);
        lines.forEach(out::println);
        if (lines.isEmpty()) {
            out.println("OK");
            return 0;
        }
        out.println("VIOLATIONS " + lines.size());
        return 1;
    }
}
