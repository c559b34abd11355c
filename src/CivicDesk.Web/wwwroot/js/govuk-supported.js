// GOV.UK Frontend: mark the body as able to run its JavaScript (CSP forbids inline scripts, so this is a file).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
