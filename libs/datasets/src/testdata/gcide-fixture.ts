import { encodeDictNumber } from '../gcide';
import type { GcideEntry } from '../gcide';

/**
 * Entries of gcide.dict as dict-gcide 0.48.5 ships them, copied byte for byte (entries separated by one
 * newline, as in the file): a headword definition with a mark (Abalone), numbered senses with two marks
 * (Abdomen), sub-senses and a quotation and phrases (Gnat), an inflected plural (Abdominal), a compound
 * mark (Bidentate), a WordNet entry, and a usage essay.
 */
export const GCIDE_FIXTURE_ENTRIES: readonly string[] = [
  `00-database-short
   The Collaborative International Dictionary of English v.0.48
`,
  `Abalone \\Ab\`a*lo"ne\\ ([a^]b\`[.a]*l[=o]"n[-e]), n. (Zool.)
   A univalve mollusk of the genus {Haliotis}. The shell is
   lined with mother-of-pearl, and used for ornamental purposes;
   the sea-ear. Several large species are found on the coast of
   California, clinging closely to the rocks.
   [1913 Webster]
`,
  `Abdomen \\Ab*do"men\\, n. [L. abdomen (a word of uncertain
   etymol.): cf. F. abdomen.]
   1. (Anat.) The belly, or that part of the body between the
      thorax and the pelvis. Also, the cavity of the belly,
      which is lined by the peritoneum, and contains the
      stomach, bowels, and other viscera. In man, often
      restricted to the part between the diaphragm and the
      commencement of the pelvis, the remainder being called the
      pelvic cavity.
      [1913 Webster]

   2. (Zool.) The posterior section of the body, behind the
      thorax, in insects, crustaceans, and other Arthropoda.
      [1913 Webster]
`,
  `Abdominal \\Ab*dom"i*nal\\, n.; E. pl. {Abdominals}, L. pl.
   {Abdominales}.
   A fish of the group Abdominales.
   [1913 Webster]
`,
  `Acajou \\Ac"a*jou\\, n. [F. See {Cashew}.] (Bot.)
   (a) The cashew tree; also, its fruit. See {Cashew}.
   (b) The mahogany tree; also, its timber.
       [1913 Webster]
`,
  `Aband \\A*band"\\ ([.a]*b[a^]nd"), v. t. [Contracted from
   abandon.]
   1. To abandon. [Obs.]
      [1913 Webster]

            Enforced the kingdom to aband.        --Spenser.
      [1913 Webster]

   2. To banish; to expel. [Obs.] --Mir. for Mag.
      [1913 Webster]

   Syn: To give up; yield; forego; cede; surrender; resign;
        abdicate; quit; relinquish; renounce; desert; forsake.
`,
  `Bidentate \\Bi*den"tate\\, a. (Bot. & Zool.)
   Having two teeth or two toothlike processes; two-toothed.
   [1913 Webster]
`,
  `Bleak \\Bleak\\, n. [From {Bleak}, a., cf. {Blay}.] (Zool.)
   A small European river fish ({Leuciscus alburnus}), of the
   family Cyprinid[ae]; the blay. [Written also {blick}.]
   [1913 Webster]
`,
  `Gnat \\Gnat\\, n. [AS. gn[ae]t.]
   1. (Zool.) A blood-sucking dipterous fly, of the genus
      {Culex}, undergoing a metamorphosis in water. The females
      have a proboscis armed with needlelike organs for
      penetrating the skin of animals. These are wanting in the
      males. In America they are generally called mosquitoes.
      See {Mosquito}.
      [1913 Webster]

   2. Any fly resembling a Culex in form or habits; esp., in
      America, a small biting fly of the genus {Simulium} and
      allies, as the buffalo gnat, the black fly, etc.
      [1913 Webster]

   {Gnat catcher} (Zool.), one of several species of small
      American singing birds, of the genus {Polioptila}, allied
      to the kinglets.

   {Gnat flower}, the bee flower.

   {Gnat snapper} (Zool.), a bird that catches gnats.
      [1913 Webster]
`,
  `abducent \\abducent\\ adj.
   1. 1 (physiol) drawing away from the midline of the body or
      from an adjacent part; -- especially of muscles {adducent}

   Syn: abducting
        [WordNet 1.5]
`,
];

/** A dictd database of the given entry texts: the .dict text and its index (headword, offset, length). */
export function dictdDatabase(entries: readonly string[]): { dict: Buffer; index: string } {
  let offset = 0;
  const lines: string[] = [];
  for (const text of entries) {
    const headword = text.slice(0, text.search(/ \\|\n/));
    lines.push(`${headword}\t${encodeDictNumber(offset)}\t${encodeDictNumber(text.length)}`);
    offset += text.length + 1;
  }
  return { dict: Buffer.from(entries.join('\n'), 'latin1'), index: `${lines.sort().join('\n')}\n` };
}

const MARKS = ['Zool.', 'Bot.', 'Chem.', 'Med.', 'Anat.', 'Law', 'Naut.', 'Min.', 'Mus.', 'Arch.'];
const WORDS = ['small', 'red', 'northern', 'hollow', 'ancient', 'curved', 'bitter', 'long', 'common', 'rare'];
const NOUNS = ['fish', 'plant', 'salt', 'fever', 'bone', 'deed', 'rope', 'ore', 'chord', 'arch'];

/**
 * A made-up GCIDE in the real layout: `perClass` entries for each of the ten marks, each with its own
 * wording ("A small red fish of the northern kind, found in ..."), for builds of the whole pipeline.
 */
export function syntheticGcide(perClass: number): GcideEntry[] {
  const entries: GcideEntry[] = [];
  MARKS.forEach((mark, c) => {
    for (let k = 0; k < perClass; k++) {
      const headword = `Term${c}x${k}`;
      const a = WORDS[k % WORDS.length] ?? '';
      const b = WORDS[(k * 3 + c) % WORDS.length] ?? '';
      const text =
        `${headword} \\Term${c}x${k}\\, n. [L. term.] (${mark})\n` +
        `   A ${a} ${NOUNS[c]} of the ${b} kind number ${k}, found in\n` +
        `   the ${WORDS[c]} lands of region ${c * 100 + k}.\n   [1913 Webster]\n`;
      entries.push({ headword, text });
    }
  });
  return entries;
}
