"""Evaluation set for the personal-data detector: Livret-2-style French texts, hand-labelled.

Each sample is a short text such as a candidate to the CQP « Conseiller offres de services » writes
in a Livret 2 (a reception desk at the CAF, the CPAM, the MSA or the URSSAF, phone calls, e-mails
to users, home visits, partner meetings, notes about a file), with every personal datum labelled.
Every name, number and address is made up; the NIR, IBAN and SIRET/SIREN carry valid check digits
(python-stdnum), so that a detector can tell them from the look-alikes that are NOT labelled: the
reference numbers whose key is wrong, amounts, ordinary dates, postcodes of an agency, the 3230 and
3646 numbers, organisations and places alone, public services and tools, trade acronyms, the
candidate's colleagues named by their job only.

Annotation conventions:
- PERSON: a person's name without its title (« Mme Martine Dupont » → « Martine Dupont »,
  « Dr Lefèvre » → « Lefèvre »); a first name alone is a PERSON; street names (« rue Jean-Jaurès »,
  « avenue du Général de Gaulle ») are part of an ADDRESS, never a PERSON.
- NIR, IBAN, SIRET (a SIREN too), PHONE, EMAIL: the number or address as written.
- CAF_NUMBER: the digits of an allocataire number only.
- ADDRESS: from the street number to the city when there is one.
- BIRTH_DATE: the date only, after « né le », « née le », « né(e) le », « date de naissance : ».

`Sample.entities` lists (label, exact substring): every occurrence of the substring in the text is
that label. A shorter substring of the same label inside a longer one (« Benali » inside
« Karim Benali ») counts once, as the longer span: « M. Benali » later in the text is its own span.
"""

from __future__ import annotations

from dataclasses import dataclass

from vaecos.pii.detection import LABELS


@dataclass(frozen=True)
class Sample:
    text: str
    entities: tuple[tuple[str, str], ...]  # (label, exact substring)


def gold_spans(sample: Sample) -> list[tuple[str, int, int]]:
    """Every (label, start, end) of a sample, sorted by start.

    Longer substrings are placed first; an occurrence lying inside a span already placed with the
    same label is that span, not another one. Raises ValueError when a substring is absent or a
    label unknown.
    """
    spans: list[tuple[str, int, int]] = []
    for label, value in sorted(sample.entities, key=lambda e: -len(e[1])):
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r} for {value!r}")
        if not value:
            raise ValueError(f"empty substring for {label}")
        start = sample.text.find(value)
        if start < 0:
            raise ValueError(f"{label} {value!r} is not in the text: {sample.text[:80]!r}…")
        while start >= 0:
            end = start + len(value)
            inside = any(lab == label and s <= start and end <= e for lab, s, e in spans)
            if not inside:
                spans.append((label, start, end))
            start = sample.text.find(value, start + 1)
    return sorted(spans, key=lambda span: (span[1], span[2]))


def S(text: str, *entities: tuple[str, str]) -> Sample:  # noqa: N802 - short on purpose
    return Sample(text=text, entities=tuple(entities))


P, NIR, IBAN, SIRET, CAF, TEL, MAIL, ADR, BIRTH = LABELS

SAMPLES: tuple[Sample, ...] = (
    # --- CAF, reception desk ------------------------------------------------------------------
    S(
        "Le mardi 14 mars 2023, j'ai reçu à l'accueil de la CAF du Rhône Mme Martine Dupont, "
        "mère isolée de deux enfants. Elle venait signaler sa séparation et demander si elle "
        "pouvait bénéficier de l'ASF. J'ai consulté son dossier à partir de son numéro "
        "d'allocataire 2754193 et j'ai constaté que son adresse n'était plus à jour : elle habite "
        "désormais 12 rue des Lilas, 69003 Lyon. Je lui ai expliqué que la déclaration pouvait se "
        "faire sur caf.fr et je l'ai accompagnée sur le poste en libre-service. Ma responsable, "
        "Mme Sabrina Lefort, a validé la priorisation du dossier.",
        (P, "Martine Dupont"),
        (P, "Sabrina Lefort"),
        (CAF, "2754193"),
        (ADR, "12 rue des Lilas, 69003 Lyon"),
    ),
    # --- CPAM, phone --------------------------------------------------------------------------
    S(
        "Lors d'une permanence téléphonique au 3646, j'ai eu en ligne M. Karim Benali, qui ne "
        "percevait plus ses indemnités journalières depuis trois semaines. Après avoir vérifié "
        "son identité avec son NIR, 1 85 03 75 123 456 41, j'ai vu que l'attestation de salaire "
        "de son employeur manquait. Il m'a donné son numéro de portable, le 06 12 48 73 95, pour "
        "que le service IJ le rappelle. J'ai noté dans l'historique que M. Benali était très "
        "inquiet pour son loyer de 640 €. Le lendemain, ma collègue Nadia a pu débloquer le "
        "paiement.",
        (P, "Karim Benali"),
        (P, "Benali"),
        (P, "Nadia"),
        (NIR, "1 85 03 75 123 456 41"),
        (TEL, "06 12 48 73 95"),
    ),
    # --- CAF, e-mail to a user ------------------------------------------------------------------
    S(
        "J'ai répondu par courriel à Mme Thi Lan Nguyen, qui m'avait écrit depuis son adresse "
        "nguyen.thi.lan@free.fr pour contester un indu d'APL de 1 254,30 €. Dans ma réponse, j'ai "
        "expliqué l'origine de l'indu : ses ressources de l'année N-2 avaient été mal prises en "
        "compte. Je lui ai proposé un rendez-vous le jeudi suivant à l'agence de Vénissieux. "
        "Mme Nguyen m'a remerciée et a apporté son avis d'imposition le jour du rendez-vous. Le "
        "dossier a été régularisé le 3 avril 2023.",
        (P, "Thi Lan Nguyen"),
        (P, "Nguyen"),
        (MAIL, "nguyen.thi.lan@free.fr"),
    ),
    # --- MSA, home visit ----------------------------------------------------------------------
    S(
        "Dans le cadre d'un rendez-vous des droits, je me suis rendue au domicile de M. et "
        "Mme Rouvière, exploitants agricoles au 52 chemin des Vignes, 26000 Valence. "
        "M. Jean-Pierre Rouvière, né le 3 mars 1962, venait de subir un accident du travail et son "
        "épouse, Monique, gérait seule l'exploitation. J'ai vérifié leurs droits à la PPA et à la "
        "CSS avec le simulateur. Leur fille Camille m'a donné son numéro, le 07-81-22-45-90, pour "
        "faire le lien. À mon retour à la MSA Ardèche Drôme Loire, j'ai transmis le dossier à "
        "l'assistante sociale.",
        (P, "Jean-Pierre Rouvière"),
        (P, "Rouvière"),
        (P, "Monique"),
        (P, "Camille"),
        (ADR, "52 chemin des Vignes, 26000 Valence"),
        (BIRTH, "3 mars 1962"),
        (TEL, "07-81-22-45-90"),
    ),
    # --- no personal data ---------------------------------------------------------------------
    S(
        "Chaque lundi matin, l'accueil de la CPAM de la Gironde est très chargé. Je commence par "
        "orienter les assurés vers les bornes ou vers le conseiller disponible. Beaucoup de "
        "personnes viennent pour une carte Vitale perdue ou pour créer leur compte Ameli. Je les "
        "aide à se connecter avec FranceConnect quand elles ont déjà un compte sur "
        "impots.gouv.fr. En fin de matinée, je fais le point avec ma responsable sur le nombre de "
        "visites, souvent plus de 120.",
    ),
    # --- URSSAF, micro-entrepreneur -------------------------------------------------------------
    S(
        "À l'URSSAF, j'ai accompagné M. Olivier Marchetti, micro-entrepreneur dans le dépannage "
        "informatique, qui avait reçu une mise en demeure. Son entreprise individuelle est "
        "immatriculée sous le SIRET 732 829 320 00017. Il n'avait pas fait ses déclarations de "
        "chiffre d'affaires des deux derniers trimestres sur autoentrepreneur.urssaf.fr. Je lui ai "
        "montré comment déclarer en ligne et demander un délai de paiement. Il m'a laissé son "
        "adresse mail, olivier.marchetti@gmail.com, pour recevoir le récapitulatif.",
        (P, "Olivier Marchetti"),
        (SIRET, "732 829 320 00017"),
        (MAIL, "olivier.marchetti@gmail.com"),
    ),
    # --- CAF, partner meeting -----------------------------------------------------------------
    S(
        "Le 21 septembre 2023, j'ai participé à une réunion avec le CCAS de Villeurbanne et France "
        "Travail pour présenter l'offre de services de la CAF. L'objectif était d'améliorer "
        "l'orientation des publics qui cumulent RSA et recherche d'emploi. J'ai présenté les "
        "démarches en ligne sur caf.fr et le rendez-vous des droits. Mme Hélène Garnier, directrice "
        "du CCAS, a proposé une permanence commune chaque mois. Nous avons échangé nos "
        "coordonnées : elle m'a donné sa ligne directe, le 04 72 18 93 56.",
        (P, "Hélène Garnier"),
        (TEL, "04 72 18 93 56"),
    ),
    # --- CAF, bank details --------------------------------------------------------------------
    S(
        "Mme Fatoumata Diallo s'est présentée à l'accueil sans rendez-vous car son aide au "
        "logement n'avait pas été versée. En vérifiant son dossier, j'ai vu que le RIB enregistré "
        "correspondait à un compte clôturé. Elle m'a remis un nouveau RIB : "
        "FR76 3000 2005 5000 0012 3456 783. J'ai vérifié que le compte était bien à son nom avant "
        "de le saisir, puis j'ai demandé un paiement en urgence. Son numéro d'allocataire, "
        "0846213, figure désormais sur la fiche de suivi. Mme Diallo est repartie rassurée.",
        (P, "Fatoumata Diallo"),
        (P, "Diallo"),
        (IBAN, "FR76 3000 2005 5000 0012 3456 783"),
        (CAF, "0846213"),
    ),
    # --- CPAM, message through the user's account -----------------------------------------------
    S(
        "Un assuré m'a écrit via la messagerie de son compte ameli.fr car sa carte Vitale était "
        "bloquée. Il s'agissait de M. Thomas Girard, né le 12/03/1972, dont le numéro de sécurité "
        "sociale est 172031305501283. En comparant avec le répertoire, j'ai vu que son NIR avait "
        "été modifié après une rectification d'état civil. J'ai transmis une demande de mise à "
        "jour au service des bénéficiaires et j'ai répondu à M. Girard que sa nouvelle carte "
        "arriverait sous trois semaines. Je lui ai conseillé de conserver l'attestation de droits "
        "téléchargeable sur Ameli en attendant.",
        (P, "Thomas Girard"),
        (P, "Girard"),
        (BIRTH, "12/03/1972"),
        (NIR, "172031305501283"),
    ),
    # --- no personal data ---------------------------------------------------------------------
    S(
        "Mardi, j'ai animé avec un collègue de l'URSSAF un atelier collectif pour les créateurs "
        "d'entreprise. Nous avons présenté le régime de la micro-entreprise, le calcul des "
        "cotisations et le calendrier des déclarations. Plusieurs participants ne savaient pas "
        "qu'ils pouvaient moduler leurs acomptes. J'ai projeté le site urssaf.fr et montré où "
        "trouver le simulateur. À la fin, j'ai distribué la plaquette sur l'ACRE et recueilli les "
        "questionnaires de satisfaction : 18 sur 20 étaient très satisfaits.",
    ),
    # --- CAF, phone, first name alone -----------------------------------------------------------
    S(
        "Lucas m'a rappelé le lendemain de notre entretien téléphonique, comme convenu. Ce jeune "
        "homme de vingt ans, apprenti en boulangerie, voulait savoir s'il avait droit à la prime "
        "d'activité. Je lui ai fait faire la simulation sur caf.fr pendant l'appel. Il n'avait pas "
        "de numéro d'allocataire, j'ai donc créé son dossier et noté son portable : "
        "06.74.21.38.60. Ma collègue Inès Bouaziz a ensuite vérifié les pièces qu'il a déposées.",
        (P, "Lucas"),
        (P, "Inès Bouaziz"),
        (TEL, "06.74.21.38.60"),
    ),
    # --- MSA, a farmer settles ----------------------------------------------------------------
    S(
        "À la MSA, je reçois beaucoup d'exploitants qui créent leur activité. Mme Anne-Sophie "
        "Lebrun est venue faire immatriculer son élevage de chèvres, SIRET 443 061 841 00013. Elle "
        "souhaitait aussi que ses prestations familiales soient versées sur le compte de "
        "l'exploitation, FR7620041010070451234540283. Je lui ai expliqué que les prestations "
        "devaient être versées sur un compte à son nom personnel. Nous avons rempli ensemble la "
        "demande d'affiliation et je lui ai remis le guide de l'installation.",
        (P, "Anne-Sophie Lebrun"),
        (SIRET, "443 061 841 00013"),
        (IBAN, "FR7620041010070451234540283"),
    ),
    # --- CPAM, reception, uppercase surname ---------------------------------------------------
    S(
        "Ce jour-là, M. Mamadou TRAORÉ se présente à l'accueil de la CPAM de Seine-Saint-Denis "
        "avec un courrier qu'il ne comprend pas. Il s'agit d'une demande de pièces pour sa "
        "Complémentaire santé solidaire. Je vérifie son identité : né le 14 juillet 1958 à Bamako, "
        "numéro de sécurité sociale 1 58 07 99 335 027 87, il vit seul au 7 place de la "
        "République, 93200 Saint-Denis. Je lui explique quelles pièces fournir et je scanne sur "
        "place son avis d'imposition. Je note dans le dossier que M. TRAORÉ a besoin d'un "
        "accompagnement renforcé pour ses démarches en ligne.",
        (P, "Mamadou TRAORÉ"),
        (P, "TRAORÉ"),
        (BIRTH, "14 juillet 1958"),
        (NIR, "1 58 07 99 335 027 87"),
        (ADR, "7 place de la République, 93200 Saint-Denis"),
    ),
    # --- no personal data ---------------------------------------------------------------------
    S(
        "Note sur le traitement des courriers du 6 février 2024. Sur les 85 courriers reçus, 32 "
        "concernaient des déclarations trimestrielles de RSA et 14 des demandes de PAJE. J'ai "
        "priorisé les dossiers présentant un risque de rupture de droits. Les demandes d'AAH ont "
        "été transmises à la MDPH comme prévu par la convention. Le stock a été résorbé en deux "
        "jours, avant l'échéance fixée par ma responsable.",
    ),
    # --- CAF, phone, name with a particle ---------------------------------------------------------
    S(
        "J'ai eu au téléphone M. Bertrand de La Fontaine, qui contestait le montant de son "
        "allocation de rentrée scolaire. Il m'a communiqué son numéro CAF, 3318720, et son adresse "
        "électronique, b.delafontaine@protonmail.com. Après vérification, j'ai constaté que son "
        "deuxième enfant avait eu 18 ans en juillet et n'ouvrait donc plus droit à l'ARS. J'ai "
        "pris le temps de lui expliquer la règle et je lui ai envoyé par courriel le lien vers la "
        "page dédiée de caf.fr. M. de La Fontaine a reconnu qu'il avait mal compris la "
        "notification.",
        (P, "Bertrand de La Fontaine"),
        (P, "de La Fontaine"),
        (CAF, "3318720"),
        (MAIL, "b.delafontaine@protonmail.com"),
    ),
    # --- URSSAF, home help paid through the Cesu --------------------------------------------------
    S(
        "Mme Anna Kowalski, aide à domicile employée par des particuliers, m'a contactée car elle "
        "n'apparaissait pas sur les bulletins du Cesu. Son employeur principal, M. Patrick Vidal, "
        "déclarait pourtant ses heures chaque mois. En vérifiant, j'ai découvert que deux comptes "
        "avaient été créés à son nom. J'ai demandé la fusion des comptes au service gestionnaire "
        "et j'ai prévenu Mme Kowalski par SMS au 0783451296. Elle m'a aussi transmis son adresse "
        "mail, famille.kowalski@sfr.fr, pour le suivi.",
        (P, "Anna Kowalski"),
        (P, "Kowalski"),
        (P, "Patrick Vidal"),
        (TEL, "0783451296"),
        (MAIL, "famille.kowalski@sfr.fr"),
    ),
    # --- CAF, home visit, a birth -----------------------------------------------------------------
    S(
        "Lors d'une visite à domicile avec la travailleuse sociale, j'ai rencontré Mme Sarah Ben "
        "Youssef, qui venait d'avoir son troisième enfant. Le bébé, Adam, est né le 1er février "
        "2024 à la maternité de Roubaix. La famille vit au 9 rue Jean-Jaurès, 59100 Roubaix, dans "
        "un logement devenu trop petit. J'ai vérifié avec elle la déclaration de grossesse et "
        "ouvert le droit à la PAJE. Je lui ai aussi présenté l'aide au déménagement et les "
        "conditions de la prime.",
        (P, "Sarah Ben Youssef"),
        (P, "Adam"),
        (BIRTH, "1er février 2024"),
        (ADR, "9 rue Jean-Jaurès, 59100 Roubaix"),
    ),
    # --- CPAM, phone, a doctor ------------------------------------------------------------------
    S(
        "Mme Claire Fournier m'a appelée au 3646 car ses indemnités journalières avaient été "
        "suspendues. Son arrêt de travail avait été prescrit par le Dr Lefèvre, mais l'avis de "
        "prolongation n'était jamais arrivé. Je lui ai conseillé de demander au cabinet de le "
        "transmettre par voie dématérialisée. En attendant, j'ai noté son numéro pour la "
        "rappeler : 01 43 27 65 18. Deux jours plus tard, j'ai vu que la prolongation était "
        "enregistrée et j'ai rappelé Mme Fournier pour la prévenir.",
        (P, "Claire Fournier"),
        (P, "Fournier"),
        (P, "Lefèvre"),
        (TEL, "01 43 27 65 18"),
    ),
    # --- no personal data ---------------------------------------------------------------------
    S(
        "Le 14 novembre, j'ai représenté la caisse lors du comité local de la Maison France "
        "Services de Die. Étaient présents la mairie, la Poste, France Travail et la CARSAT. Nous "
        "avons fait le bilan des demandes reçues : la majorité concernait la prime d'activité, les "
        "retraites et les cartes grises. J'ai proposé une formation des agents d'accueil à "
        "l'utilisation de l'espace partenaires. Jeudi prochain, une première session sera "
        "organisée à Valence.",
    ),
    # --- MSA, phone, Corsica ------------------------------------------------------------------
    S(
        "J'ai accompagné par téléphone Mme Lucia Santoni, salariée agricole en Corse, qui "
        "préparait son départ à la retraite. Elle ne retrouvait pas ses trimestres de travail "
        "saisonnier des années 1990. Avec son numéro de sécurité sociale, 2 69 05 2A 004 012 28, "
        "j'ai consulté son relevé de carrière. J'ai constaté que deux employeurs n'avaient pas "
        "déclaré ses périodes. Je lui ai demandé de rassembler ses bulletins de salaire et je lui "
        "ai envoyé la liste par courrier à son domicile, 5 rue du Four, 20000 Ajaccio.",
        (P, "Lucia Santoni"),
        (NIR, "2 69 05 2A 004 012 28"),
        (ADR, "5 rue du Four, 20000 Ajaccio"),
    ),
    # --- CAF, an e-mail with bank details -------------------------------------------------------
    S(
        "Mme Nathalie Perrin m'a envoyé un courriel depuis nathalie.perrin@laposte.net pour "
        "signaler un changement de banque. Elle avait indiqué dans son message son numéro "
        "d'allocataire 12047736 et son nouvel IBAN FR7610278073100002035470141. Je lui ai répondu "
        "que, pour sa sécurité, le changement devait se faire depuis son espace personnel sur "
        "caf.fr ou l'appli Caf - Mon Compte. Je lui ai rappelé de ne jamais communiquer ses "
        "coordonnées bancaires par courriel. Elle a fait la modification le jour même.",
        (P, "Nathalie Perrin"),
        (MAIL, "nathalie.perrin@laposte.net"),
        (CAF, "12047736"),
        (IBAN, "FR7610278073100002035470141"),
    ),
    # --- URSSAF, a craftsman's SIREN ----------------------------------------------------------------
    S(
        "Un artisan plombier, M. Sébastien Morel, est venu à l'accueil de l'URSSAF Rhône-Alpes pour "
        "une dette de cotisations de 3 480 €. Son entreprise, SIREN 552 100 554, avait été radiée "
        "par erreur après un changement d'adresse. J'ai consulté le compte et constaté que le "
        "courrier de relance avait été renvoyé avec la mention « n'habite pas à l'adresse "
        "indiquée ». J'ai mis à jour l'adresse de l'entreprise et demandé une remise des "
        "majorations. M. Morel m'a remerciée de lui avoir évité une procédure de recouvrement.",
        (P, "Sébastien Morel"),
        (P, "Morel"),
        (SIRET, "552 100 554"),
    ),
    # --- no personal data ---------------------------------------------------------------------
    S(
        "Pour préparer les rendez-vous, j'utilise plusieurs outils : le portail agent, la base "
        "documentaire et le simulateur de droits. Quand un usager ne peut pas se déplacer, je "
        "propose un rendez-vous téléphonique ou en visio. Les usagers peuvent aussi joindre la "
        "caisse au 3230, du lundi au vendredi. Avant chaque entretien, je relis l'historique des "
        "contacts pour ne pas faire répéter la personne. Cette préparation me prend environ dix "
        "minutes par dossier.",
    ),
    # --- CPAM, a death --------------------------------------------------------------------------
    S(
        "Mme Hélène Marchand, 67 ans, est venue à l'accueil déclarer le décès de son époux, "
        "M. Gérard Marchand. Elle souhaitait savoir si elle pouvait percevoir le capital décès. "
        "J'ai complété avec elle la fiche de contact : date de naissance : 22/09/1956, adresse "
        "18 impasse du Moulin, 33700 Mérignac. Je lui ai expliqué que le capital décès était "
        "réservé à certaines situations et je l'ai orientée vers la caisse de retraite pour la "
        "pension de réversion. Elle est repartie avec la liste des pièces à fournir et le numéro "
        "du 3646.",
        (P, "Hélène Marchand"),
        (P, "Gérard Marchand"),
        (BIRTH, "22/09/1956"),
        (ADR, "18 impasse du Moulin, 33700 Mérignac"),
    ),
    # --- CAF, phone from abroad -----------------------------------------------------------------
    S(
        "Un allocataire installé en Espagne pour son travail m'a appelée pour signaler son retour "
        "en France. M. Yanis Haddad m'a donné un numéro où le joindre, le +33 6 45 87 12 09, et son "
        "adresse yanis.haddad@live.fr. Son dossier, numéro d'allocataire 1596482, avait été radié "
        "en 2022. J'ai expliqué qu'il fallait faire une nouvelle demande d'APL une fois le bail "
        "signé. Je lui ai proposé un rendez-vous avec un conseiller de l'agence de Marseille.",
        (P, "Yanis Haddad"),
        (TEL, "+33 6 45 87 12 09"),
        (MAIL, "yanis.haddad@live.fr"),
        (CAF, "1596482"),
    ),
    # --- CAF, colleagues by their first names ------------------------------------------------------
    S(
        "Avec mes collègues Julie et Mehdi, nous avons réorganisé l'accueil de l'agence de Bron "
        "pendant les travaux. Julie tenait la borne d'orientation, Mehdi l'espace libre-service et "
        "moi les rendez-vous. Notre responsable, M. Franck Aubert, passait chaque heure pour "
        "ajuster la répartition. Mercredi, la file d'attente a dépassé quarante personnes et nous "
        "avons ouvert un deuxième guichet. Cette organisation a été reprise par l'agence de "
        "Vaulx-en-Velin.",
        (P, "Julie"),
        (P, "Mehdi"),
        (P, "Franck Aubert"),
    ),
    # --- URSSAF, a first employee ---------------------------------------------------------------
    S(
        "Le gérant d'une petite boulangerie, M. Nicolas Fabre, m'a contactée pour l'embauche de son "
        "premier salarié. L'établissement est enregistré sous le numéro SIRET 83214567600017. Je "
        "lui ai présenté la déclaration préalable à l'embauche et le Titre emploi service "
        "entreprise. Comme il avait beaucoup de questions, j'ai organisé un rappel par un "
        "conseiller spécialisé au 04 78 60 12 33. Le lendemain, ma collègue Amandine Roche l'a aidé "
        "à faire sa première DSN.",
        (P, "Nicolas Fabre"),
        (P, "Amandine Roche"),
        (SIRET, "83214567600017"),
        (TEL, "04 78 60 12 33"),
    ),
    # --- no personal data ---------------------------------------------------------------------
    S(
        "En mars 2024, la CPAM du Rhône a lancé une campagne d'appels sortants vers les assurés "
        "sans médecin traitant. J'ai appelé une trentaine de personnes par demi-journée avec un "
        "script préparé par le service prévention. Beaucoup ignoraient qu'elles pouvaient "
        "consulter la liste des médecins sur ameli.fr. Les refus étaient fréquents, souvent par "
        "manque de temps. À la fin de la campagne, 27 % des personnes jointes avaient déclaré un "
        "médecin traitant.",
    ),
    # --- CAF, a note about a file ---------------------------------------------------------------
    S(
        "Note de suivi — dossier de Mme Chloé VASSEUR, n° allocataire : 4472019. Mme VASSEUR a "
        "signalé par téléphone qu'elle reprenait un emploi à temps partiel à compter du 2 mai. Je "
        "lui ai rappelé de déclarer ses ressources chaque trimestre pour le RSA et la prime "
        "d'activité. Son NIR, 2 91 01 33 008 147 96, est désormais certifié, ce qui débloque le "
        "paiement. À rappeler au 06 98 03 47 21 si les bulletins de salaire ne sont pas arrivés "
        "le 15 juin.",
        (P, "Chloé VASSEUR"),
        (P, "VASSEUR"),
        (CAF, "4472019"),
        (NIR, "2 91 01 33 008 147 96"),
        (TEL, "06 98 03 47 21"),
    ),
    # --- MSA, a permanence in a town hall ---------------------------------------------------------
    S(
        "Lors d'une permanence à la mairie de Privas, j'ai reçu M. Henri Chabert, ancien "
        "viticulteur, accompagné de sa nièce, Mme Sylvie Roux. M. Chabert, né le 05.11.1941, "
        "n'avait pas demandé l'allocation de solidarité aux personnes âgées. Il vit seul au "
        "2 lieu-dit Les Granges, 07200 Aubenas, sans voiture. Son médecin, le Dr Fontanel, avait "
        "signalé son isolement au service social. J'ai constitué la demande d'ASPA avec eux et je "
        "l'ai transmise le jour même.",
        (P, "Henri Chabert"),
        (P, "Chabert"),
        (P, "Sylvie Roux"),
        (P, "Fontanel"),
        (BIRTH, "05.11.1941"),
        (ADR, "2 lieu-dit Les Granges, 07200 Aubenas"),
    ),
    # --- CAF, « Madame » and a surname ---------------------------------------------------------------
    S(
        "Madame Moreau est venue sans rendez-vous pour comprendre pourquoi son allocation familiale "
        "avait été versée sur le compte de son ex-conjoint. Le dossier indiquait encore l'ancien "
        "RIB commun. Elle m'a présenté un relevé d'identité bancaire à son seul nom : "
        "FR76 3000 4008 2300 0109 8765 491. J'ai modifié l'allocataire du dossier après "
        "vérification de la garde des enfants et j'ai enregistré le nouveau compte. J'ai informé "
        "Madame Moreau du délai de traitement, environ dix jours.",
        (P, "Moreau"),
        (IBAN, "FR76 3000 4008 2300 0109 8765 491"),
    ),
    # --- no personal data ---------------------------------------------------------------------
    S(
        "Vendredi après-midi, la connexion au logiciel de gestion a été interrompue pendant deux "
        "heures. J'ai prévenu les usagers présents dans la salle d'attente et proposé de reporter "
        "leurs démarches ou de les faire sur les bornes. Certains ont choisi de revenir le lundi "
        "suivant ; d'autres ont déposé leurs documents dans la boîte aux lettres de l'agence. J'ai "
        "noté chaque contact pour les rappeler dès le rétablissement. Ma responsable m'a ensuite "
        "demandé de rédiger une fiche réflexe pour les prochaines pannes.",
    ),
    # --- CPAM, a seasonal worker ----------------------------------------------------------------
    S(
        "M. Andrei Popescu, travailleur saisonnier, m'a écrit à plusieurs reprises depuis "
        "andrei.popescu87@gmail.com pour obtenir le remboursement de soins reçus aux urgences. Son "
        "dossier était incomplet : il manquait le formulaire S1 de son pays d'origine. J'ai appelé "
        "M. Popescu au 07 52 61 84 30 pour lui expliquer la démarche, avec l'aide d'un interprète. "
        "Il a ensuite fait la demande auprès de sa caisse roumaine. Un mois plus tard, ses droits "
        "ont été ouverts et les soins remboursés pour 486,20 €.",
        (P, "Andrei Popescu"),
        (P, "Popescu"),
        (MAIL, "andrei.popescu87@gmail.com"),
        (TEL, "07 52 61 84 30"),
    ),
    # --- CAF, a birth declared ------------------------------------------------------------------
    S(
        "Mme Aurélie Petit, née le 29/02/1984, est venue déclarer la naissance de son fils Noah. "
        "Elle avait perdu son attestation de sécurité sociale et ne connaissait pas son NIR. Je "
        "l'ai retrouvé dans le dossier : 2 84 02 92 056 123 65. J'ai ensuite ouvert avec elle la "
        "PAJE sur caf.fr, en indiquant son numéro d'allocataire, 6032518. Noah pourra être "
        "rattaché à la carte Vitale de ses deux parents. Mme Petit a laissé son numéro, le "
        "0668124957, pour être prévenue de l'ouverture des droits.",
        (P, "Aurélie Petit"),
        (P, "Petit"),
        (P, "Noah"),
        (BIRTH, "29/02/1984"),
        (NIR, "2 84 02 92 056 123 65"),
        (CAF, "6032518"),
        (TEL, "0668124957"),
    ),
    # --- URSSAF, a self-employed nurse --------------------------------------------------------------
    S(
        "Mme Marie-Claire Dumas, infirmière libérale, conteste l'appel de cotisations de sa "
        "première année. Son cabinet est enregistré sous le SIRET 901 254 789 00018. Elle demande "
        "que les prélèvements se fassent désormais sur son compte professionnel, "
        "FR76 1751 5900 0008 1234 5678 938. Je lui ai expliqué l'ajustement des cotisations en "
        "fonction des revenus réels et l'ai aidée à remplir le mandat de prélèvement SEPA. Je lui "
        "ai confirmé les échéances par courriel à mc.dumas@orange.fr.",
        (P, "Marie-Claire Dumas"),
        (SIRET, "901 254 789 00018"),
        (IBAN, "FR76 1751 5900 0008 1234 5678 938"),
        (MAIL, "mc.dumas@orange.fr"),
    ),
    # --- CAF, a student -----------------------------------------------------------------------
    S(
        "Un après-midi, j'ai reçu un appel de M. Wei Chen, étudiant en master à Nantes, qui "
        "n'arrivait pas à faire sa demande d'aide au logement. Son titre de séjour venait d'être "
        "renouvelé mais le téléservice refusait la date. J'ai vérifié avec lui les informations "
        "saisies et constaté une inversion du jour et du mois. Après correction, la demande a été "
        "acceptée. Il m'a demandé de lui confirmer l'envoi à l'adresse 36 quai de la Fosse, "
        "44000 Nantes, où il venait d'emménager.",
        (P, "Wei Chen"),
        (ADR, "36 quai de la Fosse, 44000 Nantes"),
    ),
    # --- MSA, a notary ------------------------------------------------------------------------
    S(
        "Dans le cadre d'une succession, Me Isabelle Da Silva, notaire, a contacté la MSA pour "
        "connaître le montant des prestations restant dues au défunt, M. Roger Blanchard. Je lui "
        "ai indiqué que ces informations ne pouvaient être transmises qu'avec l'acte de "
        "notoriété. Elle nous l'a adressé le 8 janvier 2024, accompagné de l'adresse des "
        "héritiers : 27, boulevard de la Croix-Rousse. J'ai calculé le reliquat, soit 312,45 €, et "
        "j'ai préparé le courrier de versement. Mon responsable a validé le dossier.",
        (P, "Isabelle Da Silva"),
        (P, "Roger Blanchard"),
        (ADR, "27, boulevard de la Croix-Rousse"),
    ),
    # --- CPAM, a father calls for his daughter -----------------------------------------------------
    S(
        "Monsieur Gauthier a appelé pour sa fille Emma, étudiante, qui devait avoir sa propre "
        "carte Vitale. Il m'a dicté le numéro de sécurité sociale d'Emma, 2 02 10 99 352 047 68, "
        "puisqu'elle est née à l'étranger. J'ai expliqué que, depuis ses 18 ans, Emma devait créer "
        "elle-même son compte Ameli. Je lui ai envoyé le lien par SMS et je lui ai proposé de la "
        "rappeler le lendemain. Le jour suivant, Emma avait bien créé son compte.",
        (P, "Gauthier"),
        (P, "Emma"),
        (NIR, "2 02 10 99 352 047 68"),
    ),
    # --- CAF, a social worker calls ---------------------------------------------------------------
    S(
        "L'assistante sociale du Département, Mme Sophie Carré, m'a appelée au sujet de M. BARRY "
        "Ousmane, hébergé chez un tiers. Son dossier RSA était suspendu faute de déclaration "
        "trimestrielle depuis six mois. Elle m'a communiqué son numéro d'allocataire, 5529017, et "
        "une adresse de domiciliation au CCAS. Nous avons convenu d'un rendez-vous commun pour "
        "faire les déclarations en retard. M. BARRY a retrouvé ses droits le mois suivant.",
        (P, "Sophie Carré"),
        (P, "BARRY Ousmane"),
        (P, "BARRY"),
        (CAF, "5529017"),
    ),
    # --- no personal data ---------------------------------------------------------------------
    S(
        "Avec le recul, je pense que j'aurais dû orienter plus tôt cette personne vers un "
        "travailleur social. J'ai tendance à vouloir tout régler moi-même, alors que le "
        "partenariat avec le CCAS existe pour ces situations. Depuis, je consulte "
        "systématiquement l'annuaire des partenaires avant de clore un entretien complexe. J'en ai "
        "parlé lors de notre réunion d'équipe du 12 octobre 2023. Ma responsable a proposé d'en "
        "faire un point régulier de nos réunions.",
    ),
    # --- URSSAF, a VTC driver -----------------------------------------------------------------------
    S(
        "M. Julien Lambert, chauffeur VTC en micro-entreprise, s'est présenté pour une attestation "
        "de vigilance. Son SIRET 512 349 879 00019 était bien actif, mais il avait un retard de "
        "paiement. Il habite 145 route de Vienne, 69008 Lyon, et reçoit ses courriers avec beaucoup "
        "de retard. Je l'ai aidé à régler sa dette en ligne puis à télécharger l'attestation. Je "
        "lui ai noté le numéro du service pour les indépendants et j'ai enregistré le sien, "
        "06.31.75.09.84.",
        (P, "Julien Lambert"),
        (SIRET, "512 349 879 00019"),
        (ADR, "145 route de Vienne, 69008 Lyon"),
        (TEL, "06.31.75.09.84"),
    ),
    # --- CPAM, a son for his mother ---------------------------------------------------------------
    S(
        "Le fils de Mme Yvette Lemaire, M. Gérard Lemaire, est venu m'apporter les documents pour "
        "le remboursement des frais de soins de sa mère, hospitalisée. Il m'a présenté le numéro "
        "de sécurité sociale de sa mère, 2 40 03 59 350 108 46, ainsi qu'un RIB au nom de "
        "celle-ci, FR76 1130 6000 3048 0152 3716 094. Je lui ai expliqué qu'il devait disposer "
        "d'une procuration pour gérer ses remboursements. Il m'a communiqué son adresse "
        "électronique, gerard.lemaire@wanadoo.fr, pour recevoir le modèle de procuration.",
        (P, "Yvette Lemaire"),
        (P, "Gérard Lemaire"),
        (NIR, "2 40 03 59 350 108 46"),
        (IBAN, "FR76 1130 6000 3048 0152 3716 094"),
        (MAIL, "gerard.lemaire@wanadoo.fr"),
    ),
    # --- CAF, a birth grant form ------------------------------------------------------------------
    S(
        "Lors de l'instruction d'une demande de prime à la naissance, j'ai repris avec Mme Amina "
        "Rakotomalala le formulaire qu'elle avait rempli. Elle avait indiqué « né(e) le "
        "16/04/1995 » dans la partie réservée à l'enfant, au lieu de sa propre partie. Nous avons "
        "corrigé ensemble le formulaire et j'ai vérifié la date prévue d'accouchement, le "
        "30 septembre 2024. J'ai enregistré la demande et indiqué à Mme Rakotomalala que le "
        "versement interviendrait au septième mois de grossesse. Elle pourra suivre le dossier "
        "depuis l'appli Caf - Mon Compte.",
        (P, "Amina Rakotomalala"),
        (P, "Rakotomalala"),
        (BIRTH, "16/04/1995"),
    ),
    # --- CPAM, a student's own rights -------------------------------------------------------------
    S(
        "Mlle Léa Bonnet, 19 ans, m'a contactée au sujet de la Complémentaire santé solidaire. "
        "Étudiante et en rupture familiale, elle ne voulait plus être rattachée au dossier de ses "
        "parents. Je lui ai expliqué qu'elle pouvait demander son autonomie de droits et je lui ai "
        "envoyé le formulaire à lea.bonnet02@gmail.com. Elle m'a rappelée le lendemain depuis le "
        "06 22 41 77 59 pour vérifier qu'elle l'avait bien rempli. J'ai transmis sa demande en "
        "signalant la situation de fragilité.",
        (P, "Léa Bonnet"),
        (MAIL, "lea.bonnet02@gmail.com"),
        (TEL, "06 22 41 77 59"),
    ),
    # --- CAF, a dwelling found not decent ---------------------------------------------------------
    S(
        "M. Emre Yilmaz est venu à l'accueil de la CAF des Bouches-du-Rhône pour une aide au "
        "logement refusée. Son bail indiquait le 4 bis avenue du Général de Gaulle 13001 "
        "Marseille, mais le propriétaire n'avait pas déclaré le logement comme décent. J'ai "
        "consulté son dossier avec son numéro allocataire 7310254 et j'ai lu le rapport de la "
        "visite de conformité. J'ai expliqué à M. Yilmaz la procédure de conservation de "
        "l'allocation logement. Je l'ai orienté vers l'ADIL pour l'accompagner dans ses échanges "
        "avec le propriétaire.",
        (P, "Emre Yilmaz"),
        (P, "Yilmaz"),
        (ADR, "4 bis avenue du Général de Gaulle 13001 Marseille"),
        (CAF, "7310254"),
    ),
    # --- CPAM, a doctor's office calls ------------------------------------------------------------
    S(
        "Le secrétariat du Dr Martin Leclerc, généraliste à Villeurbanne, a appelé la plateforme "
        "des professionnels de santé pour un patient dont la carte Vitale était refusée. Il "
        "s'agissait de M. Kevin Le Gall, dont les droits avaient pris fin avec son contrat de "
        "travail. J'ai vérifié que M. Le Gall avait bien droit au maintien de ses droits et j'ai "
        "mis à jour sa situation. J'ai ensuite prévenu M. Le Gall au 02 40 89 16 35 que les "
        "feuilles de soins pouvaient de nouveau être télétransmises.",
        (P, "Martin Leclerc"),
        (P, "Kevin Le Gall"),
        (P, "Le Gall"),
        (TEL, "02 40 89 16 35"),
    ),
    # --- no personal data ---------------------------------------------------------------------
    S(
        "Le 5 juin 2023, j'ai préparé une rencontre avec les conseillers de Pôle emploi, devenu "
        "depuis France Travail. Nous voulions clarifier le circuit des demandeurs d'emploi qui "
        "sollicitent le RSA. J'ai présenté les pièces demandées par la CAF et les délais de "
        "traitement. Les conseillers ont expliqué leur accompagnement et l'utilisation de Mon "
        "Compte Formation. Nous avons convenu d'un contact référent dans chaque structure et "
        "d'une fiche de liaison commune.",
    ),
    # --- URSSAF, a private employer (Pajemploi) -----------------------------------------------------
    S(
        "M. Pierre-Antoine Garcia emploie une garde d'enfants à domicile depuis septembre. Il m'a "
        "écrit depuis pa.garcia@yahoo.fr car le prélèvement de ses cotisations Pajemploi avait été "
        "rejeté. Le compte enregistré était FR7613335000400800198236494, mais il l'avait clôturé "
        "au printemps. Je lui ai expliqué comment saisir un nouveau compte dans son espace et "
        "comment régulariser la cotisation impayée de 728 €. Je lui ai indiqué la référence de sa "
        "déclaration, 20240915784512, à rappeler en cas de contestation.",
        (P, "Pierre-Antoine Garcia"),
        (MAIL, "pa.garcia@yahoo.fr"),
        (IBAN, "FR7613335000400800198236494"),
    ),
    # --- CAF, a landlord reports rent arrears -------------------------------------------------------
    S(
        "Un gestionnaire du bailleur social Partenord Habitat, M. Damien Chevalier, m'a signalé un "
        "impayé de loyer pour une locataire, Mme Rachida Belkacem. Elle vit au 230 rue Nationale, "
        "59000 Lille, avec ses trois enfants. Son numéro d'allocataire est le 987154. J'ai vérifié "
        "que l'aide au logement était bien versée en tiers payant et que l'impayé avait été "
        "signalé dans les délais. J'ai ensuite appelé Mme Belkacem au 03 20 57 14 62 pour lui "
        "proposer un rendez-vous avec la conseillère en économie sociale et familiale.",
        (P, "Damien Chevalier"),
        (P, "Rachida Belkacem"),
        (P, "Belkacem"),
        (ADR, "230 rue Nationale, 59000 Lille"),
        (CAF, "987154"),
        (TEL, "03 20 57 14 62"),
    ),
    # --- MSA, a shepherd in Haute-Corse -------------------------------------------------------------
    S(
        "M. Dominique Paoli, berger en Haute-Corse, m'a appelée pour sa demande de retraite "
        "anticipée. Il est né le 12 novembre 1975 à Bastia. Son NIR, 175112B03300118, apparaissait "
        "avec une erreur dans le relevé de carrière. J'ai demandé à la caisse de corriger l'état "
        "civil et j'ai prévenu M. Paoli que le délai serait d'environ un mois. Je lui ai envoyé un "
        "courrier pour lui confirmer la démarche.",
        (P, "Dominique Paoli"),
        (P, "Paoli"),
        (BIRTH, "12 novembre 1975"),
        (NIR, "175112B03300118"),
    ),
    # --- CAF, a self-employed cleaner -------------------------------------------------------------
    S(
        "Mme Sandrine Leroy, auto-entrepreneuse dans le ménage à domicile, est venue me demander "
        "comment déclarer son chiffre d'affaires pour la prime d'activité. Son SIRET, "
        "480 156 322 00012, figurait déjà dans son dossier, numéro d'allocataire 2086641. Je lui "
        "ai montré où déclarer ses recettes brutes chaque trimestre et comment l'abattement était "
        "appliqué. Elle m'a demandé de lui envoyer le récapitulatif à sandrine.leroy34@gmail.com. "
        "Je l'ai fait le jour même, avec le lien vers le simulateur de caf.fr.",
        (P, "Sandrine Leroy"),
        (SIRET, "480 156 322 00012"),
        (CAF, "2086641"),
        (MAIL, "sandrine.leroy34@gmail.com"),
    ),
    # --- MSA, a farmer after a drought ------------------------------------------------------------
    S(
        "M. Laurent Bonnefoy, éleveur de bovins, a demandé l'échelonnement de ses cotisations après "
        "une année de sécheresse. Son exploitation est immatriculée sous le SIREN 798456125. Je "
        "lui ai présenté le dispositif de report et j'ai constitué avec lui la demande, accompagnée "
        "de son RIB, FR76 1450 5000 0104 1003 4590 241. La commission a accepté un étalement sur "
        "douze mois. J'ai appelé M. Bonnefoy au 04 75 64 28 90 pour lui annoncer la décision.",
        (P, "Laurent Bonnefoy"),
        (P, "Bonnefoy"),
        (SIRET, "798456125"),
        (IBAN, "FR76 1450 5000 0104 1003 4590 241"),
        (TEL, "04 75 64 28 90"),
    ),
    # --- CPAM, a first job ----------------------------------------------------------------------
    S(
        "Mme Pauline Girardin, née le 7 octobre 1993, m'a écrit depuis p.girardin@outlook.fr pour "
        "demander son attestation de droits. Elle venait d'être embauchée et son employeur la "
        "réclamait. Comme elle n'avait jamais créé de compte Ameli, je l'ai accompagnée par "
        "téléphone dans la création de son compte avec son NIR, 2 93 10 69 123 045 90. Le "
        "Dr Abdelkader Mansouri lui avait aussi prescrit des séances de kinésithérapie, qui ont "
        "été prises en charge. Elle m'a remerciée pour la rapidité de la démarche.",
        (P, "Pauline Girardin"),
        (P, "Abdelkader Mansouri"),
        (BIRTH, "7 octobre 1993"),
        (MAIL, "p.girardin@outlook.fr"),
        (NIR, "2 93 10 69 123 045 90"),
    ),
    # --- CAF, RSA and a new business --------------------------------------------------------------
    S(
        "J'ai reçu M. Stéphane Caron, allocataire du RSA, qui venait de créer une activité de "
        "réparation de vélos. Il s'est inscrit comme auto-entrepreneur, SIREN 812 347 656, et se "
        "demandait si ses recettes allaient réduire son RSA. Avec son numéro CAF 3965108, j'ai "
        "ouvert son dossier et simulé plusieurs niveaux de chiffre d'affaires. Je lui ai expliqué "
        "les déclarations trimestrielles et l'obligation de déclarer son activité à France "
        "Travail. M. Caron est reparti avec un plan de déclarations pour l'année.",
        (P, "Stéphane Caron"),
        (P, "Caron"),
        (SIRET, "812 347 656"),
        (CAF, "3965108"),
    ),
    # --- URSSAF, a taxi driver --------------------------------------------------------------------
    S(
        "M. Rachid Amrani, taxi indépendant, a demandé son affiliation au régime des travailleurs "
        "indépendants après une période de salariat. J'ai repris avec lui son SIRET "
        "380 129 874 00018, son numéro de sécurité sociale 1 79 09 80 254 119 01 et son adresse, "
        "11 cours Victor Hugo, 33000 Bordeaux. Il souhaitait être prélevé mensuellement sur le "
        "compte FR76 3000 3019 3000 0502 7184 664. Je lui ai expliqué le calcul provisionnel des "
        "cotisations et la régularisation de l'année suivante. Il est reparti avec un échéancier "
        "imprimé.",
        (P, "Rachid Amrani"),
        (SIRET, "380 129 874 00018"),
        (NIR, "1 79 09 80 254 119 01"),
        (ADR, "11 cours Victor Hugo, 33000 Bordeaux"),
        (IBAN, "FR76 3000 3019 3000 0502 7184 664"),
    ),
    # --- CPAM, a misspelt name --------------------------------------------------------------------
    S(
        "M. Mathis Rolland m'a écrit via la messagerie Ameli car son attestation de droits "
        "comportait une faute dans son nom. Il m'a joint une copie de sa carte d'identité et "
        "rappelé son NIR, 1 88 07 75 056 029 67, et sa date de naissance : 04/07/1988. J'ai "
        "transmis la demande de correction au service de l'état civil des assurés. Je lui ai "
        "répondu à mathis.rolland@icloud.com que la nouvelle attestation serait disponible sous "
        "dix jours. Il a pu la télécharger la semaine suivante.",
        (P, "Mathis Rolland"),
        (NIR, "1 88 07 75 056 029 67"),
        (BIRTH, "04/07/1988"),
        (MAIL, "mathis.rolland@icloud.com"),
    ),
    # --- CAF, an elderly woman and her daughter ----------------------------------------------------
    S(
        "Mme Odette Vincent, 82 ans, était accompagnée de sa fille, Mme Valérie Roussel, pour une "
        "demande d'aide au logement en résidence autonomie. Mme Roussel avait une procuration et "
        "souhaitait que l'aide soit versée directement sur le compte de sa mère, "
        "FR76 1660 7000 1277 0123 4512 387. J'ai vérifié la procuration, puis j'ai saisi la "
        "demande en ligne avec elles. Pour les échanges à venir, Mme Roussel m'a laissé son "
        "courriel, valerie.roussel@free.fr, et son téléphone, 06 85 14 39 72. Le droit a été "
        "ouvert le mois suivant.",
        (P, "Odette Vincent"),
        (P, "Valérie Roussel"),
        (P, "Roussel"),
        (IBAN, "FR76 1660 7000 1277 0123 4512 387"),
        (MAIL, "valerie.roussel@free.fr"),
        (TEL, "06 85 14 39 72"),
    ),
    # --- CAF, a report of possible fraud ----------------------------------------------------------
    S(
        "Un signalement est arrivé concernant un possible cumul de l'AAH avec des revenus non "
        "déclarés. Le dossier concernait M. Florian Meunier, né le 2 juin 1990, domicilié "
        "3 allée des Peupliers, 38100 Grenoble. J'ai été chargée de vérifier les ressources "
        "déclarées par rapport aux données transmises par les employeurs. J'ai constaté que les "
        "revenus avaient bien été déclarés, avec un décalage d'un trimestre. J'ai rédigé une note "
        "au contrôleur, M. Xavier Poulain, pour clore le signalement.",
        (P, "Florian Meunier"),
        (P, "Xavier Poulain"),
        (BIRTH, "2 juin 1990"),
        (ADR, "3 allée des Peupliers, 38100 Grenoble"),
    ),
    # --- CPAM, a call from abroad -----------------------------------------------------------------
    S(
        "Mme Ioana Stan, aide-soignante, m'a appelée depuis la Roumanie où elle était en congés, au "
        "+33 7 68 22 90 41. Elle avait été arrêtée pour un accident et ses indemnités n'étaient pas "
        "versées. J'ai retrouvé son dossier avec son NIR 295089206311896 et constaté que son RIB "
        "avait changé. Elle m'a dicté le nouvel IBAN, FR76 1250 6200 0156 1002 3478 956, que j'ai "
        "fait confirmer par écrit avant de l'enregistrer. Les indemnités ont été versées quatre "
        "jours plus tard.",
        (P, "Ioana Stan"),
        (TEL, "+33 7 68 22 90 41"),
        (NIR, "295089206311896"),
        (IBAN, "FR76 1250 6200 0156 1002 3478 956"),
    ),
    # --- CAF, a rejected payment ------------------------------------------------------------------
    S(
        "Note au dossier de M. LEMOINE Christophe, numéro d'allocataire 8142273 : le paiement de "
        "février a été rejeté par la banque. Contacté au 09 51 23 78 04, M. LEMOINE a indiqué "
        "qu'il avait changé d'établissement. Il a transmis un nouveau RIB par son espace "
        "personnel : FR7610107001010023409876108. Le paiement a été relancé le 18 février 2024 "
        "pour un montant de 389,50 €. Aucun indu n'est à prévoir.",
        (P, "LEMOINE Christophe"),
        (P, "LEMOINE"),
        (CAF, "8142273"),
        (TEL, "09 51 23 78 04"),
        (IBAN, "FR7610107001010023409876108"),
    ),
    # --- URSSAF, a late-payment surcharge -------------------------------------------------------------
    S(
        "À la demande de mon responsable, j'ai rappelé M. Samir Aït-Ahmed, gérant d'une entreprise "
        "individuelle de maçonnerie, SIRET 422 567 891 00011. Il avait reçu une majoration de "
        "retard alors qu'il avait payé dans les délais. J'ai retrouvé le paiement, imputé par "
        "erreur sur une autre période, et j'ai demandé l'annulation de la majoration de 147 €. "
        "J'ai confirmé la régularisation à M. Aït-Ahmed par écrit, à s.aitahmed@bbox.fr. Il m'a "
        "dit apprécier qu'on le rappelle sans qu'il ait à relancer.",
        (P, "Samir Aït-Ahmed"),
        (P, "Aït-Ahmed"),
        (SIRET, "422 567 891 00011"),
        (MAIL, "s.aitahmed@bbox.fr"),
    ),
    # --- CAF, home visit after a death ----------------------------------------------------------
    S(
        "Avec la conseillère en économie sociale et familiale, j'ai rendu visite à Mme Jessica "
        "Hamon, qui venait de perdre son conjoint. Elle vit avec ses deux enfants, Léo, né le "
        "19 août 2016, et Manon, au 14 rue de la Paix, 72000 Le Mans. Nous avons ouvert le droit à "
        "l'allocation de soutien familial et vérifié les droits à la CSS. Mme Hamon a pu poser "
        "toutes ses questions sans avoir à se déplacer.",
        (P, "Jessica Hamon"),
        (P, "Hamon"),
        (P, "Léo"),
        (P, "Manon"),
        (BIRTH, "19 août 2016"),
        (ADR, "14 rue de la Paix, 72000 Le Mans"),
    ),
    # --- no personal data ---------------------------------------------------------------------
    S(
        "En janvier 2024, j'ai suivi la formation « Accueil des publics en situation de handicap » "
        "organisée par l'Institut 4.10. Nous avons travaillé sur l'accueil des personnes sourdes, "
        "avec une interprète en langue des signes. J'ai appris à utiliser le service de "
        "visio-interprétation proposé par la caisse. Depuis, j'ai pu l'utiliser deux fois à "
        "l'accueil. Je partage ces pratiques avec mes collègues lors des réunions du jeudi.",
    ),
    # --- no personal data: look-alike numbers that are NOT valid NIR / SIRET ------------------------
    S(
        "Lors d'un contrôle qualité, j'ai relevé plusieurs erreurs de saisie dans les dossiers "
        "traités par l'équipe. Sur l'un d'eux, le numéro de la réclamation, 185037512345652, avait "
        "été saisi dans la zone du NIR, ce qui bloquait le dossier. Sur un autre, la référence de "
        "facture 12345678901234 avait été prise pour un SIRET. J'ai corrigé les deux saisies et "
        "signalé l'anomalie au référent technique. Nous avons ensuite ajouté un contrôle de format "
        "dans la fiche de procédure.",
    ),
    # --- CAF, an electrician's business ---------------------------------------------------------
    S(
        "M. Thierry Gomez, électricien à son compte, a demandé la prime d'activité après une baisse "
        "de ses chantiers. Je lui ai demandé le SIRET de son entreprise individuelle, "
        "884 120 353 00013, pour vérifier la date de début d'activité. Il n'avait pas encore de "
        "dossier à la CAF de l'Isère ; j'ai créé le dossier et j'ai saisi le RIB qu'il m'a remis, "
        "FR76 1380 7008 1232 0214 8796 526. Je lui ai expliqué qu'il devrait déclarer son chiffre "
        "d'affaires chaque trimestre. Il a reçu son premier versement le 5 du mois suivant.",
        (P, "Thierry Gomez"),
        (SIRET, "884 120 353 00013"),
        (IBAN, "FR76 1380 7008 1232 0214 8796 526"),
    ),
)
