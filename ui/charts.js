// The charts panel, shared by one run's results and a comparison of two: whichever is on screen
// draws into it.

import { $ } from './dom.js';

export function renderCharts(charts) {
  $('charts').replaceChildren(...charts.map((c) => {
    const figure = document.createElement('figure');
    figure.dataset.testid = `chart-${c.id}`;
    // Inline (not an <img>) so the chart's text and axes take the theme's colours from CSS.
    const svg = new DOMParser().parseFromString(c.svg, 'image/svg+xml').documentElement;
    svg.classList.add('desk-chart');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', c.description);
    svg.dataset.testid = 'chart-image';
    const caption = document.createElement('figcaption');
    caption.textContent = c.title;
    figure.append(svg, caption);
    return figure;
  }));
  $('charts-panel').hidden = charts.length === 0;
}

export function clearCharts() {
  $('charts').replaceChildren();
  $('charts-panel').hidden = true;
}
