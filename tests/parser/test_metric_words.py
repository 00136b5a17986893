"""The metric a description names explicitly, in the corpus's spelling."""
import pandas as pd
import pytest

from modellens_core.common.metric_names import canonical_metric
from modellens_core.common.paths import ASSETS
from modellens_core.parser.metric_words import explicit_metric

CASES = [
    # speech: WER in five languages, CER
    ("We transcribe call-centre audio and report the word error rate.", "wer"),
    ("Our ASR system for doctors' dictation should have a low WER.", "wer"),
    ("Wir transkribieren Arztgespräche; uns interessiert die Wortfehlerrate.", "wer"),
    ("Nous transcrivons des réunions, évaluées par le taux d'erreur de mots.", "wer"),
    ("Transcribimos llamadas y medimos la tasa de error de palabras.", "wer"),
    ("我们做中文语音识别，关注词错误率。", "wer"),
    ("中文语音识别，用字错率评估。", "cer"),
    ("Handwritten receipts OCR, scored by character error rate", "cer"),
    # generation
    ("Machine translation EN->DE of manuals, we report BLEU.", "bleu"),
    ("Low-resource translation evaluated with chrF++", "chrf"),
    ("Translation quality of support macros, judged by COMET", "comet"),
    ("News summaries evaluated with ROUGE-L", "rouge-l"),
    ("Abstractive summaries of meetings, ROUGE-1", "rouge-1"),
    ("Report ROUGE for the summaries", "rouge-2"),             # bare ROUGE: the corpus's most common
    ("Python function completion from docstrings, pass@1", "pass@1"),
    ("Code generation measured with pass@10", "pass@1"),       # the corpus has pass@1 only
    # retrieval and ranking
    ("Product search ranking, we look at NDCG", "ndcg@10"),
    ("nDCG@5 of the top results", "ndcg-at-5"),
    ("nDCG@3 of the top results", "ndcg-at-5"),                # nearest cut-off the corpus has
    ("Passage retrieval for a help centre, MRR@10", "mrr@10"),
    ("Knowledge-graph link prediction, mean reciprocal rank", "mrr"),
    ("Image retrieval in a photo archive, mAP", "map"),
    ("Recall@10 of a semantic search engine", "recall-at-10"),
    ("Candidate retrieval with high recall", "recall"),
    # vision
    ("Detect forklifts in warehouse photos, COCO AP", "box-ap"),
    ("Detect cars with the best box AP", "box-ap"),
    ("Instance segmentation of cells, mask AP", "mask-ap"),
    ("Semantic segmentation of road scenes evaluated with mIoU", "miou"),
    ("Land-cover segmentation, mean IoU", "miou"),
    # classification
    ("Chest X-ray triage, we care about AUROC", "roc-auc"),
    ("Fraud detection measured by AUC", "auc"),
    ("Named entity recognition in contracts, F1 score", "f1"),
    ("Topic classification of tickets with macro-F1 over 20 classes", "f1-macro"),
    ("Extractive QA over manuals, exact match", "exact-match"),
    ("Reading comprehension, EM and F1", "exact-match"),
    ("Photos of plant diseases; high accuracy is what matters", "accuracy"),
    ("ImageNet-like photos, top-1 accuracy", "accuracy"),
    ("ImageNet-like photos, top-5 accuracy", "top5-accuracy"),
    ("Die Genauigkeit der Klassifikation von Mails", "accuracy"),
    ("L'exactitude des prédictions compte", "accuracy"),
    ("La précision des prédictions compte", "precision"),       # French précision is precision
    ("新闻分类，准确率最重要", "accuracy"),
    ("Spam filter with high precision", "precision"),
    # chat, similarity, language modelling
    ("A support chatbot, win rate against our current assistant", "win-rate"),
    ("Chat assistant, length-controlled win rate", "lc-win-rate"),
    ("Chat assistants ranked by Elo", "elo"),
    ("Sentence similarity scored by Spearman correlation", "spearman"),
    ("Agreement with human ratings, Pearson correlation", "pearson"),
    ("Clustering support tickets, V-measure", "v-measure"),
    ("A language model for legal text with low perplexity", "perplexity"),
]


@pytest.mark.parametrize("text, metric", CASES)
def test_each_metric_family(text, metric):
    assert explicit_metric(text) == metric


@pytest.mark.parametrize("text", [
    "Draw a heat map of the attention over clauses",
    "We map each sentence to one of 12 intents",
    "Predict MAP of the patient from vital signs",       # mean arterial pressure
    "Complete Python and Java functions",
    "Cluster customers with the EM algorithm",
    "Questions that test recall of world knowledge",
    "Aerial photos for precision agriculture",
    "We want accurate transcripts of interviews",
    "Wer hat den Vertrag unterschrieben? Extrahiere die Parteien.",   # German "wer" = who
    "Des photos du ciel bleu et du vin rouge",                         # French "bleu", "rouge"
    "Classify tweets by sentiment",
    "",
])
def test_false_friends_and_no_metric(text):
    assert explicit_metric(text) is None


def test_the_first_mention_wins():
    assert explicit_metric("We report accuracy and macro-F1 on our tickets") == "accuracy"
    assert explicit_metric("BLEU, chrF and COMET on the test set") == "bleu"
    assert explicit_metric("precision and recall of defect detection") == "precision"


def test_a_primary_metric_phrase_wins_over_the_first_mention():
    assert explicit_metric("We report MRR, but the ranking is measured by nDCG@10.") == "ndcg@10"
    assert explicit_metric("Accuracy is easy to game here; we care about macro-F1.") == "f1-macro"
    assert explicit_metric("Besides BLEU, the primary metric is COMET.") == "comet"
    # the phrase reaches to the end of its sentence only: here no metric follows it
    assert explicit_metric("Accuracy and F1 are reported. It is evaluated with care by experts.") == "accuracy"


def test_every_answer_is_a_canonical_name_the_project_knows():
    answers = {metric for _, metric in CASES}
    assert all(canonical_metric(m) == m for m in answers)
    path = ASSETS / "corpus" / "records.parquet"
    if not path.exists():
        pytest.skip("no corpus")
    in_corpus = set(pd.read_parquet(path, columns=["metric"])["metric"].unique())
    # metrics without records keep their canonical spelling (see the module docstring)
    assert answers - in_corpus == {"cer", "chrf", "comet", "pearson"}
