/*
 * henvis.js — the referrers' pre-check page (/henvis): the form as a draft
 * FHIR ServiceRequest with its Patient, requester and attachments, sent to
 * the CDS Hooks service's order-select service (found by discovery) as the
 * referrer types; the cards it answers shown as they come, and "Klar til
 * afsendelse" only when no card warns. Nothing is stored; no CPR is asked.
 */
'use strict';
(function () {
  const CS = 'https://triage.example/fhir/CodeSystem/';
  const $ = (id) => document.getElementById(id);
  let service = null;
  let timer = null;
  let asked = 0;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return 'xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx'.replace(/x/g, () =>
      Math.floor(Math.random() * 16).toString(16));
  }

  function coding(kind, code) {
    return { coding: [{ system: CS + kind, code: code }] };
  }

  /* The form as a draftOrders Bundle: the ServiceRequest first. */
  function draftOrders() {
    const v = (id) => $(id).value.trim();
    const patient = { resourceType: 'Patient', id: 'barn', gender: v('h-sex') };
    if (v('h-birth')) patient.birthDate = v('h-birth');
    if (v('h-municipality')) patient.address = [{ use: 'home', district: v('h-municipality') }];
    const org = { resourceType: 'Organization', id: 'henviser', type: [coding('referrer-kind', v('h-kind'))] };
    if (v('h-name')) org.name = v('h-name');
    const subject = { reference: 'Patient/barn' };
    const more = [];
    if (v('h-custody')) {
      more.push({ resourceType: 'Observation', id: 'forældremyndighed', status: 'final', subject: subject,
        code: coding('finding', 'custody'), valueCodeableConcept: coding('custody', v('h-custody')) });
    }
    if ($('h-consent').checked) {
      more.push({ resourceType: 'Consent', id: 'samtykke', status: 'active', patient: subject,
        scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'treatment' }] },
        category: [coding('consent', 'both_custodians')],
        policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] } });
    }
    if ($('h-cog').checked) {
      const obs = { resourceType: 'Observation', id: 'kognitiv-test', status: 'final', subject: subject,
        category: [coding('assessment-kind', 'cognitive')], code: coding('finding', 'cognitive_test') };
      if (v('h-cog-date')) obs.effectiveDateTime = v('h-cog-date');
      if (v('h-cog-iq')) obs.valueInteger = parseInt(v('h-cog-iq'), 10);
      more.push(obs);
    }
    if ($('h-ppv').checked) {
      more.push({ resourceType: 'DocumentReference', id: 'ppv', status: 'current', subject: subject,
        type: coding('assessment-kind', 'ppv'), content: [{ attachment: { title: 'PPV' } }] });
    }
    const sr = { resourceType: 'ServiceRequest', id: 'udkast', status: 'draft', intent: 'order',
      subject: subject, requester: { reference: 'Organization/henviser' },
      supportingInfo: more.map((r) => ({ reference: r.resourceType + '/' + r.id })) };
    if (v('h-diagnosis')) {
      sr.reasonCode = [{ coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: v('h-diagnosis').toUpperCase() }] }];
    }
    if (v('h-text')) sr.note = [{ text: v('h-text') }];
    const entries = [sr, patient, org].concat(more).map((r) => ({ resource: r }));
    return { resourceType: 'Bundle', type: 'collection', entry: entries };
  }

  function setStatus(text, cls) {
    const s = $('h-status');
    s.textContent = text;
    s.className = 'status' + (cls ? ' ' + cls : '');
  }

  const INDICATOR = { critical: 'Kritisk', warning: 'Ret før afsendelse', info: 'Til orientering' };

  function render(cards) {
    const box = $('h-cards');
    box.replaceChildren();
    cards.forEach((c) => {
      const art = document.createElement('article');
      art.className = 'card ' + c.indicator;
      const kind = document.createElement('p');
      kind.className = 'kind';
      kind.textContent = INDICATOR[c.indicator] || c.indicator;
      const h = document.createElement('h3');
      h.textContent = c.summary;
      art.append(kind, h);
      if (c.detail) {
        const p = document.createElement('p');
        p.textContent = c.detail.replace(/\*\*/g, '');
        art.append(p);
      }
      (c.links || []).forEach((l) => {
        const a = document.createElement('a');
        a.href = l.url;
        a.textContent = l.label;
        art.append(a);
      });
      (c.suggestions || []).forEach((s) => {
        const p = document.createElement('p');
        p.className = 'small';
        p.textContent = 'Forslag: ' + s.label;
        art.append(p);
      });
      box.append(art);
    });
    $('h-source').textContent = cards.length && cards[0].source ? 'Kilde: ' + cards[0].source.label : '';
    const acute = cards.some((c) => c.indicator === 'critical');
    const warn = cards.filter((c) => c.indicator === 'warning').length;
    if (acute) setStatus('Akut: ring i dag — se nedenfor.', 'acute');
    else if (warn) setStatus('Ikke klar: ' + warn + (warn === 1 ? ' ting skal' : ' ting skal') +
                             ' rettes, før henvisningen sendes.', 'notready');
    else setStatus('Klar til afsendelse: intet mangler.', 'ready');
  }

  async function discover() {
    const r = await fetch('/henvis/cds-services', { headers: { Accept: 'application/json' } });
    if (!r.ok) throw new Error('CDS-tjenesten svarer ikke (' + r.status + ')');
    const j = await r.json();
    service = (j.services || []).find((s) => s.hook === 'order-select') || (j.services || [])[0];
    if (!service) throw new Error('CDS-tjenesten har ingen tjeneste til henvisninger');
  }

  async function ask() {
    if (!$('h-birth').value) {
      $('h-cards').replaceChildren();
      setStatus('Udfyld barnets fødselsdato for at tjekke henvisningen.');
      return;
    }
    const mine = ++asked;
    try {
      if (!service) await discover();
      const body = { hook: service.hook, hookInstance: uuid(),
        context: { userId: 'Organization/henviser', patientId: 'barn', draftOrders: draftOrders() } };
      if (service.hook === 'order-select') body.context.selections = ['ServiceRequest/udkast'];
      const r = await fetch('/henvis/cds-services/' + encodeURIComponent(service.id), {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const j = await r.json();
      if (mine !== asked) return;            /* a newer question is on its way */
      if (!r.ok) {
        setStatus('Tjekket mislykkedes: ' + (j.error || (j.issue && j.issue[0].diagnostics) || r.status), 'notready');
        return;
      }
      render(j.cards || []);
    } catch (e) {
      if (mine === asked) setStatus('Tjekket mislykkedes: ' + e.message, 'notready');
    }
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  }

  document.addEventListener('DOMContentLoaded', () => {
    const form = $('henvis-form');
    form.addEventListener('input', soon);
    form.addEventListener('change', () => {
      $('h-cog-more').hidden = !$('h-cog').checked;
      soon();
    });
    form.addEventListener('submit', (e) => e.preventDefault());
  });
})();
