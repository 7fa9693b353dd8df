"""A synthetic language whose p_true is known exactly: a probabilistic finite-state grammar.

To measure what a language model memorizes, generalizes or hallucinates we need text
whose true distribution can be evaluated on any string; this toy English has one.
Sentences such as::

    the old dogs that a clever cat chases sleep quietly.

come from a probabilistic finite-state automaton over 320 words: each state
chooses an edge (a word class and the next state), then a word of that class
(Zipf-distributed). From any state, different edges never share a word, so a sentence
has one derivation: ``p_true(sentence)`` is the product of the edge and word
probabilities along it (0 if there is none, :meth:`SyntheticLanguage.log2_prob`), and the
entropy is exact, ``H = sum_s visits(s) * H(next word | state s)``, the expected visits
from one linear solve. One dependency is long: the main verb agrees with the subject
across an optional relative clause ("the dog that the cats chase **runs**"), 20-40
characters away, out of reach of a short n-gram. A corpus concatenates sentences (single
spaces between words, each ending with ``".\\n"``): character models train on it directly.

Left out compared with a real language: meaning, discourse, recursion deeper than one
relative clause, ambiguity.

References
----------
Vidal, E. et al. (2005). Probabilistic finite-state machines, parts I and II. *IEEE
TPAMI* 27(7).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from lossylab.lm import check_text

__all__ = ["END", "SyntheticLanguage"]

END = ".\n"  # every sentence ends with these two characters

_NOUNS = ("dog dogs|cat cats|bird birds|horse horses|king kings|queen queens|farmer farmers|"
          "sailor sailors|child children|woman women|man men|baker bakers|teacher teachers|"
          "student students|doctor doctors|poet poets|soldier soldiers|merchant merchants|"
          "fox foxes|wolf wolves|mouse mice|goose geese|owl owls|lion lions|tiger tigers|"
          "rabbit rabbits|frog frogs|snake snakes|monkey monkeys|duck ducks|pig pigs|cow cows|"
          "goat goats|mother mothers|father fathers|sister sisters|brother brothers|"
          "friend friends|neighbour neighbours|stranger strangers|pilot pilots|painter painters|"
          "singer singers|dancer dancers|knight knights|prince princes|princess princesses|"
          "wizard wizards|witch witches|giant giants|dragon dragons|robot robots|clerk clerks|"
          "judge judges|thief thieves|priest priests|monk monks|nurse nurses|hunter hunters|"
          "fisher fishers")
_INTRANSITIVE = ("runs run|sleeps sleep|sings sing|laughs laugh|dances dance|swims swim|"
                 "smiles smile|waits wait|falls fall|cries cry|jumps jump|walks walk|talks talk|"
                 "shouts shout|wanders wander|rests rest|listens listen|whispers whisper|"
                 "trembles tremble|hides hide|sighs sigh|yawns yawn|waves wave|prays pray|"
                 "weeps weep|dreams dream|grows grow|sneezes sneeze|blinks blink|arrives arrive")
_TRANSITIVE = ("sees see|chases chase|likes like|finds find|helps help|knows know|loves love|"
               "hates hate|follows follow|watches watch|greets greet|feeds feed|calls call|"
               "meets meet|fears fear|trusts trust|visits visit|admires admire|teaches teach|"
               "paints paint|praises praise|thanks thank|remembers remember|forgets forget|"
               "pushes push|carries carry|bites bite|catches catch|hears hear|protects protect")
_ADJECTIVES = ("big small old young red green blue happy sad quiet loud brave clever lazy tired "
               "hungry angry gentle proud shy kind cruel wise foolish tall short strange lonely "
               "famous ancient tiny grey golden silver wild calm busy lucky honest curious")
_ADVERBS = ("quickly slowly quietly loudly happily sadly gladly badly softly gently bravely "
            "calmly early late today again alone together outside here")
_PREPOSITIONS = "near behind with under beside beyond above around"
_DETERMINERS_SG = "a this every one each"
_DETERMINERS_PL = "these those some many two few"


def _pairs(spec: str, n: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The first ``n`` (singular, plural) forms of a ``"sg pl|sg pl|..."`` list."""
    pairs = [item.split() for item in spec.split("|")][:n]
    return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)


@dataclass(frozen=True)
class _Edge:
    """An edge of the automaton: emit a word of ``word_class`` and go to ``target``."""

    word_class: str | None  # None: the sentence ends here
    target: int  # next state (ignored for the end edge)
    prob: float


class SyntheticLanguage:
    """A probabilistic finite-state toy English with subject-verb agreement.

    The defaults are the course's language: the number of noun and verb lemmas (each with a
    singular and a plural), of adjectives, adverbs, prepositions, of determiners per number
    besides "the" (0 to 5), at most ``max_adjectives`` per noun phrase, ``p_adjective`` (one
    more), ``p_relative`` (a relative clause), the Zipf exponent of the word frequencies.

    Examples
    --------
    >>> lang = SyntheticLanguage()
    >>> lang.sample(2, seed=1)
    ['a frog jumps.\\n', 'two horses that this cat catches chase these pilots.\\n']
    >>> lang.is_valid("the dog runs.\\n"), lang.is_valid("the dog run.\\n")
    (True, False)
    >>> round(lang.entropy_bits_per_char(), 4)
    0.8412
    """

    def __init__(self, *, n_nouns: int = 60, n_intransitive: int = 30, n_transitive: int = 30,
                 n_adjectives: int = 40, n_adverbs: int = 20, n_prepositions: int = 8,
                 n_determiners: int = 5, max_adjectives: int = 2, p_adjective: float = 0.3,
                 p_relative: float = 0.3, zipf_exponent: float = 1.0) -> None:
        counts = dict(n_nouns=n_nouns, n_intransitive=n_intransitive, n_transitive=n_transitive,
                      n_adjectives=n_adjectives, n_adverbs=n_adverbs,
                      n_prepositions=n_prepositions)
        for name, value in counts.items():
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        if not isinstance(n_determiners, int) or not 0 <= n_determiners <= 5:
            raise ValueError(f"n_determiners must be an int from 0 to 5, got {n_determiners!r}")
        if not isinstance(max_adjectives, int) or max_adjectives < 0:
            raise ValueError(f"max_adjectives must be an int >= 0, got {max_adjectives!r}")
        for name, value in (("p_adjective", p_adjective), ("p_relative", p_relative)):
            if not 0 <= value < 1:
                raise ValueError(f"{name} must be in [0, 1), got {value!r}")
        self.max_adjectives = max_adjectives
        self.p_adjective = float(p_adjective)
        self.p_relative = float(p_relative)
        self.classes = self._word_classes(n_nouns, n_intransitive, n_transitive, n_adjectives,
                                          n_adverbs, n_prepositions, n_determiners)
        self._class_probs = {name: _zipf(len(words), zipf_exponent)
                             for name, words in self.classes.items()}
        self._names: dict[str, int] = {}
        self._edges: list[list[_Edge]] = []
        self._build()
        self._check_deterministic()
        self._arcs = self._arc_tables()

    # --- construction ---------------------------------------------------------------------
    @staticmethod
    def _word_classes(n_nouns: int, n_intr: int, n_tr: int, n_adj: int, n_adv: int,
                      n_prep: int, n_det: int) -> dict[str, tuple[str, ...]]:
        """Word class name -> its words (empty classes dropped)."""
        noun_sg, noun_pl = _pairs(_NOUNS, n_nouns)
        intr_sg, intr_pl = _pairs(_INTRANSITIVE, n_intr)
        tr_sg, tr_pl = _pairs(_TRANSITIVE, n_tr)
        classes = {
            "the": ("the",), "that": ("that",),
            "det_sg": tuple(_DETERMINERS_SG.split()[:n_det]),
            "det_pl": tuple(_DETERMINERS_PL.split()[:n_det]),
            "noun_sg": noun_sg, "noun_pl": noun_pl, "intr_sg": intr_sg, "intr_pl": intr_pl,
            "tr_sg": tr_sg, "tr_pl": tr_pl,
            "adj": tuple(_ADJECTIVES.split()[:n_adj]),
            "adv": tuple(_ADVERBS.split()[:n_adv]),
            "prep": tuple(_PREPOSITIONS.split()[:n_prep]),
        }
        return {name: words for name, words in classes.items() if words}

    def _state(self, name: str) -> int:
        """The index of state ``name``, created on first use."""
        if name not in self._names:
            self._names[name] = len(self._edges)
            self._edges.append([])
        return self._names[name]

    def _add(self, source: str, word_class: str | None, target: str, prob: float) -> None:
        """Add an edge (skipped if its probability is 0 or its word class is empty)."""
        if prob > 0 and (word_class is None or word_class in self.classes):
            self._edges[self._state(source)].append(_Edge(word_class, self._state(target), prob))

    def _build(self) -> None:
        """States and edges of the automaton (see the module docstring)."""
        self._state("S")
        self._noun_phrase("S", 1.0, "subj", exit_sg="N_sg", exit_pl="N_pl")
        for n in ("sg", "pl"):
            self._add(f"N_{n}", "that", f"RC_{n}", self.p_relative)
            self._main_verb(f"N_{n}", 1 - self.p_relative, n)
            # relative clause: "that chases the cat" or "that the cats chase"
            self._add(f"RC_{n}", f"tr_{n}", f"RCO_{n}", 0.5)
            self._noun_phrase(f"RCO_{n}", 1.0, f"rco_{n}", exit_sg=f"AR_{n}", exit_pl=f"AR_{n}")
            self._noun_phrase(f"RC_{n}", 0.5, f"rcs_{n}", exit_sg=f"RCV_{n}_sg",
                              exit_pl=f"RCV_{n}_pl")
            for m in ("sg", "pl"):
                self._add(f"RCV_{n}_{m}", f"tr_{m}", f"AR_{n}", 1.0)
            self._main_verb(f"AR_{n}", 1.0, n)
        self._noun_phrase("OBJ", 1.0, "obj", exit_sg="OBJ_DONE", exit_pl="OBJ_DONE")
        self._add("VI", None, "VI", 0.5)
        self._add("VI", "adv", "ADV", 0.25)
        self._add("VI", "prep", "PP", 0.25)
        self._noun_phrase("PP", 1.0, "pp", exit_sg="ADV", exit_pl="ADV")
        self._add("OBJ_DONE", None, "OBJ_DONE", 0.7)
        self._add("OBJ_DONE", "adv", "ADV", 0.3)
        self._add("ADV", None, "ADV", 1.0)

    def _main_verb(self, source: str, mass: float, n: str) -> None:
        """Intransitive or transitive main verb agreeing with number ``n``."""
        self._add(source, f"intr_{n}", "VI", 0.5 * mass)
        self._add(source, f"tr_{n}", "OBJ", 0.5 * mass)

    def _noun_phrase(self, entry: str, mass: float, prefix: str, *, exit_sg: str,
                     exit_pl: str) -> None:
        """Determiner, up to max_adjectives adjectives, a noun agreeing with the determiner."""
        has_det = "det_sg" in self.classes
        p_the = 0.5 if has_det else 1.0
        self._add(entry, "the", f"{prefix}_any_0", mass * p_the)
        self._add(entry, "det_sg", f"{prefix}_sg_0", mass * (1 - p_the) / 2)
        self._add(entry, "det_pl", f"{prefix}_pl_0", mass * (1 - p_the) / 2)
        exits = {"sg": exit_sg, "pl": exit_pl}
        for number in ("any", "sg", "pl"):
            for k in range(self.max_adjectives + 1):
                state = f"{prefix}_{number}_{k}"
                p_adj = self.p_adjective if k < self.max_adjectives else 0.0
                self._add(state, "adj", f"{prefix}_{number}_{k + 1}", p_adj)
                nouns = ("sg", "pl") if number == "any" else (number,)
                for noun in nouns:
                    self._add(state, f"noun_{noun}", exits[noun], (1 - p_adj) / len(nouns))

    def _check_deterministic(self) -> None:
        """RuntimeError if two edges of a state share a word or its edges do not sum to 1."""
        for state, edges in enumerate(self._edges):
            words = [w for e in edges if e.word_class for w in self.classes[e.word_class]]
            if len(words) != len(set(words)):  # pragma: no cover - guards edits of the lists
                raise RuntimeError(f"state {state} has two edges sharing a word")
            total = sum(e.prob for e in edges)
            if not math.isclose(total, 1.0, rel_tol=1e-12):  # pragma: no cover
                raise RuntimeError(f"state {state}: edge probabilities sum to {total}")

    def _arc_tables(self) -> list[dict[str, tuple[int, float]]]:
        """Per state: word -> (next state, log2 probability of choosing that word)."""
        tables = []
        for edges in self._edges:
            table: dict[str, tuple[int, float]] = {}
            for e in edges:
                if e.word_class is None:
                    continue
                words, probs = self.classes[e.word_class], self._class_probs[e.word_class]
                for w, p in zip(words, probs, strict=True):
                    table[w] = (e.target, math.log2(e.prob * p))
            tables.append(table)
        return tables

    def _end_log2(self, state: int) -> float:
        """log2 probability of ending the sentence in ``state`` (-inf if it cannot)."""
        ends = [e.prob for e in self._edges[state] if e.word_class is None]
        return math.log2(ends[0]) if ends else -math.inf

    # --- public API ---------------------------------------------------------------------
    @property
    def words(self) -> tuple[str, ...]:
        """Every word of the language, sorted."""
        return tuple(sorted({w for words in self.classes.values() for w in words}))

    @property
    def alphabet(self) -> str:
        """Every character that can occur in the text, sorted."""
        return "".join(sorted(set("".join(self.words)) | set(" ") | set(END)))

    @property
    def n_states(self) -> int:
        """Number of states of the automaton."""
        return len(self._edges)

    def log2_prob(self, sentence: str) -> float:
        """Exact log2 p_true (-inf if impossible); single spaces, the final ``".\\n"`` optional."""
        check_text(sentence, name="sentence")
        body = sentence[: -len(END)] if sentence.endswith(END) else sentence
        state, total = self._names["S"], 0.0
        for word in body.split(" "):
            arc = self._arcs[state].get(word)
            if arc is None:
                return -math.inf
            state, total = arc[0], total + arc[1]
        return total + self._end_log2(state)

    def is_valid(self, sentence: str) -> bool:
        """True when p_true(sentence) > 0."""
        return self.log2_prob(sentence) > -math.inf

    def sample(self, n_sentences: int, *, seed: int = 0) -> list[str]:
        """Draw ``n_sentences`` (>= 0) independent seeded sentences, each ending with ``".\\n"``."""
        if not isinstance(n_sentences, (int, np.integer)) or n_sentences < 0:
            raise ValueError(f"n_sentences must be an int >= 0, got {n_sentences!r}")
        rng = np.random.default_rng(seed)
        n = int(n_sentences)
        state = np.full(n, self._names["S"], dtype=np.int64)
        active = np.ones(n, dtype=bool)
        steps: list[np.ndarray] = []  # word ids (-1 = none) per step, each (n,)
        edge_cdf, edge_class, edge_target, class_cdf, class_words = self._sampling_tables()
        words = self.words
        id_dtype = np.int16 if len(words) < 2**15 else np.int64  # small word ids: small grid
        while active.any():
            # all sentences step in lockstep: choose an edge, then a word of its class
            u_edge, u_word = rng.random(n), rng.random(n)
            edge = _rowwise_draw(edge_cdf, state, u_edge)
            cls = edge_class[state, edge]
            active &= cls >= 0
            word = _rowwise_draw(class_cdf, cls, u_word)
            steps.append(np.where(active, class_words[cls, word], -1).astype(id_dtype))
            state = np.where(active, edge_target[state, edge], state)
        grid = np.stack(steps, axis=1) if steps else np.zeros((n, 0), dtype=id_dtype)
        sentences: list[str] = []
        for start in range(0, n, 4096):  # rows to Python lists a chunk at a time (memory)
            sentences += [" ".join([words[i] for i in row if i >= 0]) + END
                          for row in grid[start:start + 4096].tolist()]
        return sentences

    def _sampling_tables(self) -> tuple[np.ndarray, ...]:
        """Padded tables for lockstep sampling (edge CDFs per state, word CDFs per class)."""
        names = list(self.classes)
        width = max(len(edges) for edges in self._edges)
        edge_cdf = np.ones((self.n_states, width))
        edge_class = np.full((self.n_states, width), -1, dtype=np.int64)  # -1: end of sentence
        edge_target = np.zeros((self.n_states, width), dtype=np.int64)
        for s, edges in enumerate(self._edges):
            edge_cdf[s, : len(edges)] = np.cumsum([e.prob for e in edges])
            for i, e in enumerate(edges):
                edge_class[s, i] = -1 if e.word_class is None else names.index(e.word_class)
                edge_target[s, i] = e.target
        n_words = max(len(w) for w in self.classes.values())
        class_cdf = np.ones((len(names) + 1, n_words))  # last row: dummy for the end edge
        class_words = np.zeros((len(names) + 1, n_words), dtype=np.int64)
        index = {w: i for i, w in enumerate(self.words)}
        for c, name in enumerate(names):
            words = self.classes[name]
            class_cdf[c, : len(words)] = np.cumsum(self._class_probs[name])
            class_words[c, : len(words)] = [index[w] for w in words]
        return edge_cdf, edge_class, edge_target, class_cdf, class_words

    def expected_visits(self) -> np.ndarray:
        """Expected visits of each state in one sentence: ``v = (I - Q^T)^{-1} e_start``."""
        q = np.zeros((self.n_states, self.n_states))
        for s, edges in enumerate(self._edges):
            for e in edges:
                if e.word_class is not None:
                    q[s, e.target] += e.prob
        start = np.zeros(self.n_states)
        start[self._names["S"]] = 1.0
        return np.linalg.solve(np.eye(self.n_states) - q.T, start)

    def entropy_bits_per_sentence(self) -> float:
        """Exact entropy of a sentence in bits: ``sum_s visits(s) * H(next choice | s)``.

        ``H(next choice | s) = H(edge) + sum_e p(e) H(word | e)`` (one path per sentence).
        """
        visits = self.expected_visits()
        return float(sum(v * self._state_entropy(s) for s, v in enumerate(visits)))

    def _state_entropy(self, state: int) -> float:
        """Entropy in bits of the next choice (edge, then word) in ``state``."""
        h = 0.0
        for e in self._edges[state]:
            h -= e.prob * math.log2(e.prob)
            if e.word_class is not None:
                probs = self._class_probs[e.word_class]
                h -= e.prob * float(np.sum(probs * np.log2(probs)))
        return h

    def mean_chars_per_sentence(self) -> float:
        """Exact expected number of characters of a sentence, ``".\\n"`` included."""
        visits = self.expected_visits()
        chars = 1.0  # the final ".\n" is two characters; each word brings itself + 1
        for s, v in enumerate(visits):
            for e in self._edges[s]:
                if e.word_class is not None:
                    lengths = np.array([len(w) + 1 for w in self.classes[e.word_class]])
                    chars += v * e.prob * float(lengths @ self._class_probs[e.word_class])
        return float(chars)

    def entropy_bits_per_char(self) -> float:
        """Exact entropy rate of the text: ``H(sentence) / E[characters per sentence]``."""
        return self.entropy_bits_per_sentence() / self.mean_chars_per_sentence()

    def sentences(self, *, limit: int = 100_000) -> Iterator[tuple[str, float]]:
        """Every (sentence, p_true) of a small configuration (ValueError past ``limit``)."""
        stack: list[tuple[int, tuple[str, ...], float]] = [(self._names["S"], (), 0.0)]
        count = 0
        while stack:
            state, words, log2_p = stack.pop()
            end = self._end_log2(state)
            if end > -math.inf:
                count += 1
                if count > limit:
                    raise ValueError(f"more than limit={limit} sentences; use a smaller "
                                     "configuration (fewer words, max_adjectives=0)")
                yield " ".join(words) + END, 2.0 ** (log2_p + end)
            for word, (target, lp) in self._arcs[state].items():
                stack.append((target, (*words, word), log2_p + lp))


def _rowwise_draw(cdf: np.ndarray, rows: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw of a column of ``cdf`` (rows ending at 1) for each row index."""
    # shifting row r by r makes the table one sorted array: one searchsorted for all rows
    n_rows, width = cdf.shape
    flat = (cdf + np.arange(n_rows)[:, None]).ravel()
    hits = np.searchsorted(flat, rows + uniforms, side="right") - rows * width
    return np.minimum(hits, width - 1)


def _zipf(n: int, exponent: float) -> np.ndarray:
    """Zipf probabilities ``rank ** -exponent``, normalized: float64 (n,)."""
    weights = np.arange(1, n + 1) ** -float(exponent)
    return weights / weights.sum()
